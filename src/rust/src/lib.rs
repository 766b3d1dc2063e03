//! R glue for radiogenomics. Converts R objects to core types and back, maps core errors to R
//! conditions, prints progress and polls Ctrl-C. No algorithms live here: one sub-module per
//! capability, composed below.

mod conditions;
mod convert;
mod folds;
mod gsea;
mod interpret;
mod metrics;
mod monitor;
mod nn;
mod simulate;
mod survival;
mod traits;

use extendr_api::prelude::*;

extendr_module! {
    mod radiogenomics;
    use conditions;
    use folds;
    use gsea;
    use interpret;
    use metrics;
    use nn;
    use simulate;
    use survival;
    use traits;
}
