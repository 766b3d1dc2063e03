//! R glue for radiogenomics. Converts R objects to core types and back, maps core errors to R
//! conditions, prints progress and polls Ctrl-C. No algorithms live here: one sub-module per
//! capability, composed below.

mod conditions;
mod convert;
mod metrics;
mod monitor;
mod simulate;

use extendr_api::prelude::*;

extendr_module! {
    mod radiogenomics;
    use conditions;
    use metrics;
    use simulate;
}
