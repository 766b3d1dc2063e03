//! End-to-end checks of the GSEA engine against independent references.

use rg_core::monitor::CancelAt;
use rg_core::{ExpressionView, RngStream, Silent};
use rg_gsea::score::enrichment_score;
use rg_gsea::{gsea_per_sample, gsea_preranked, GeneSet, GseaError, GseaOptions, GseaResult, Method};

fn gene_names(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("g{i}")).collect()
}

fn normal_stats(n: usize, rng: &mut RngStream) -> Vec<f64> {
    (0..n).map(|_| rng.normal()).collect()
}

fn random_set(name: &str, n: usize, k: usize, rng: &mut RngStream) -> GeneSet {
    let mut scratch: Vec<usize> = (0..n).collect();
    let picked = rng.sample_distinct(&mut scratch, k).to_vec();
    GeneSet::new(name, picked.iter().map(|&i| format!("g{i}")))
}

/// The textbook running sum, walking every gene of the ranking: +|s|^p / NR at a hit,
/// -1 / (N - k) at a miss; ES is the maximum deviation from zero (the larger side; 0 on a tie).
fn reference_es(stats: &[f64], genes: &[String], set: &[String], p: f64) -> f64 {
    let mut order: Vec<usize> = (0..stats.len()).collect();
    order.sort_by(|&a, &b| stats[b].partial_cmp(&stats[a]).unwrap());
    let hit: Vec<bool> = order.iter().map(|&g| set.contains(&genes[g])).collect();
    let k = hit.iter().filter(|&&h| h).count();
    let weight = |g: usize| stats[g].abs().powf(p);
    let nr: f64 = order.iter().zip(&hit).filter(|(_, &h)| h).map(|(&g, _)| weight(g)).sum();
    let (mut run, mut max, mut min) = (0.0f64, 0.0f64, 0.0f64);
    for (&g, &h) in order.iter().zip(&hit) {
        run += if h {
            if nr == 0.0 { 1.0 / k as f64 } else { weight(g) / nr }
        } else {
            -1.0 / (stats.len() - k) as f64
        };
        max = max.max(run);
        min = min.min(run);
    }
    if max > -min {
        max
    } else if max < -min {
        min
    } else {
        0.0
    }
}

fn options(method: Method, nperm: usize, seed: u64) -> GseaOptions {
    GseaOptions { method, nperm, min_size: 1, max_size: 1000, seed, ..GseaOptions::default() }
}

fn row<'a>(result: &'a GseaResult, sets: &[GeneSet], name: &str) -> &'a rg_gsea::GseaRow {
    result.rows.iter().find(|r| sets[r.set].name == name).expect("set is tested")
}

#[test]
fn es_equals_the_direct_running_sum() {
    let mut rng = RngStream::new(11, 0);
    let n = 300;
    let genes = gene_names(n);
    for &p in &[0.0, 1.0, 2.0] {
        for trial in 0..20 {
            let mut stats = normal_stats(n, &mut rng);
            if trial % 2 == 1 {
                // ties (rounded values) and zeros
                stats.iter_mut().for_each(|s| *s = (*s * 2.0).round() / 2.0);
            }
            let set = random_set("s", n, 5 + trial * 3, &mut rng);
            let opts = GseaOptions { nperm: 10, gsea_param: p, ..options(Method::Simple, 10, 1) };
            let result = gsea_preranked(&genes, &stats, std::slice::from_ref(&set), &opts, &mut Silent).unwrap();
            let expected = reference_es(&stats, &genes, &set.genes, p);
            assert!((result.rows[0].es - expected).abs() < 1e-12, "p={p} trial={trial}");
        }
    }
}

#[test]
fn positive_and_negative_planted_sets_are_found_with_their_leading_edges() {
    let mut rng = RngStream::new(5, 0);
    let n = 2000;
    let genes = gene_names(n);
    let mut stats = normal_stats(n, &mut rng);
    for i in 0..30 {
        stats[i] += 2.5; // g0..g29 shifted up
        stats[100 + i] -= 2.5; // g100..g129 shifted down
    }
    let sets = vec![
        GeneSet::new("up", (0..30).map(|i| format!("g{i}"))),
        GeneSet::new("down", (100..130).map(|i| format!("g{i}"))),
        random_set("random", n, 30, &mut rng),
    ];
    let result = gsea_preranked(&genes, &stats, &sets, &options(Method::Simple, 2000, 3), &mut Silent).unwrap();
    let up = row(&result, &sets, "up");
    let down = row(&result, &sets, "down");
    assert!(up.es > 0.5 && up.nes > 1.5 && up.pval < 0.01, "{up:?}");
    assert!(down.es < -0.5 && down.nes < -1.5 && down.pval < 0.01, "{down:?}");
    // leading edges: genes of the set, the top one first for "up", the bottom one first for "down"
    let best_up = (0..30).max_by(|&a, &b| stats[a].total_cmp(&stats[b])).unwrap() as u32;
    let worst_down = (100..130).min_by(|&a, &b| stats[a].total_cmp(&stats[b])).unwrap() as u32;
    assert_eq!(up.leading_edge[0], best_up);
    assert_eq!(down.leading_edge[0], worst_down);
    assert!(up.leading_edge.iter().all(|&g| g < 30) && up.leading_edge.len() >= 15);
    // output keeps the caller's order for the simple method
    assert_eq!(result.rows.iter().map(|r| r.set).collect::<Vec<_>>(), vec![0, 1, 2]);
}

/// On a tiny universe every random set of the size can be enumerated, so the p-value and NES have
/// exact values; fgsea's formulas with many permutations must approach them.
#[test]
fn simple_pvalue_and_nes_converge_to_the_exact_null() {
    let n = 12;
    let genes = gene_names(n);
    let stats: Vec<f64> = (0..n).map(|i| (n - i) as f64 * 0.7 + if i % 3 == 0 { 1.0 } else { 0.0 }).collect();
    let weights: Vec<f64> = {
        let mut s = stats.clone();
        s.sort_by(|a, b| b.total_cmp(a));
        s.iter().map(|x| x.abs()).collect()
    };
    let set = GeneSet::new("s", ["g1", "g4", "g6"]);
    let observed = reference_es(&stats, &genes, &set.genes, 1.0);
    let mut null = Vec::new();
    for a in 0..n as u32 {
        for b in a + 1..n as u32 {
            for c in b + 1..n as u32 {
                null.push(enrichment_score(&weights, &[a, b, c]));
            }
        }
    }
    let count = |f: &dyn Fn(f64) -> bool| null.iter().filter(|&&e| f(e)).count() as f64;
    let (ge_zero, le_zero) = (count(&|e| e >= 0.0), count(&|e| e <= 0.0));
    // this example has exact ties with the observed score (ES = 2/3): equal up to rounding
    let tol = 1e-10;
    let exact_p = (count(&|e| e >= observed - tol) / ge_zero).min(count(&|e| e <= observed + tol) / le_zero);
    let ge_mean = null.iter().filter(|&&e| e >= 0.0).sum::<f64>() / ge_zero;
    let le_mean = null.iter().filter(|&&e| e <= 0.0).sum::<f64>() / le_zero;
    let exact_nes = if observed > 0.0 { observed / ge_mean } else { observed / le_mean.abs() };

    let opts = GseaOptions { min_size: 1, max_size: 10, ..options(Method::Simple, 200_000, 9) };
    let result = gsea_preranked(&genes, &stats, std::slice::from_ref(&set), &opts, &mut Silent).unwrap();
    let r = &result.rows[0];
    assert!((r.es - observed).abs() < 1e-12);
    assert!((r.pval - exact_p).abs() < 0.01, "{} vs exact {}", r.pval, exact_p);
    assert!((r.nes - exact_nes).abs() < 0.01, "{} vs exact {}", r.nes, exact_nes);
}

/// Kolmogorov–Smirnov distance of `p` from Uniform(0, 1).
fn ks_distance(mut p: Vec<f64>) -> f64 {
    p.sort_by(f64::total_cmp);
    let n = p.len() as f64;
    p.iter()
        .enumerate()
        .map(|(i, &x)| (x - i as f64 / n).abs().max(((i + 1) as f64 / n - x).abs()))
        .fold(0.0, f64::max)
}

#[test]
fn random_sets_have_uniform_pvalues() {
    let mut rng = RngStream::new(21, 0);
    let n = 1000;
    let genes = gene_names(n);
    let stats = normal_stats(n, &mut rng);
    let sets: Vec<GeneSet> = (0..300).map(|i| random_set(&format!("r{i}"), n, 25 + i % 20, &mut rng)).collect();
    let result = gsea_preranked(&genes, &stats, &sets, &options(Method::Simple, 2000, 4), &mut Silent).unwrap();
    let pvals: Vec<f64> = result.rows.iter().map(|r| r.pval).collect();
    let d = ks_distance(pvals);
    // 1.63 / sqrt(n) is the KS critical distance at alpha = 0.01
    assert!(d < 1.63 / (sets.len() as f64).sqrt(), "KS distance {d}");
    let below = result.rows.iter().filter(|r| r.padj < 0.05).count();
    assert!(below <= 3, "{below} random sets significant after BH");
}

#[test]
fn multilevel_agrees_with_simple_and_reaches_tiny_pvalues() {
    let mut rng = RngStream::new(8, 0);
    let n = 5000;
    let genes = gene_names(n);
    let mut stats = normal_stats(n, &mut rng);
    for i in 0..40 {
        stats[i] += 0.8; // moderate: p ~ 1e-5, within reach of 2e6 permutations
        stats[200 + i] += 1.4; // extreme: p ~ 1e-10
    }
    let sets = vec![
        GeneSet::new("moderate", (0..40).map(|i| format!("g{i}"))),
        GeneSet::new("extreme", (200..240).map(|i| format!("g{i}"))),
        random_set("random", n, 40, &mut rng),
    ];
    let simple = gsea_preranked(&genes, &stats, &sets, &options(Method::Simple, 2_000_000, 2), &mut Silent).unwrap();
    let opts = GseaOptions { eps: 0.0, ..options(Method::Multilevel, 1000, 2) };
    let multi = gsea_preranked(&genes, &stats, &sets, &opts, &mut Silent).unwrap();
    // multilevel output is sorted by set name
    let names: Vec<&str> = multi.rows.iter().map(|r| sets[r.set].name.as_str()).collect();
    assert_eq!(names, vec!["extreme", "moderate", "random"]);

    for name in ["moderate", "random"] {
        let (s, m) = (row(&simple, &sets, name), row(&multi, &sets, name));
        assert_eq!(s.es, m.es);
        // within 3 combined standard errors on the log2 scale
        let se = m.log2err.hypot(s.log2err);
        assert!((s.pval.log2() - m.pval.log2()).abs() < 3.0 * se, "{name}: {} vs {} (se {se})", s.pval, m.pval);
    }
    assert!(row(&multi, &sets, "moderate").pval < 1e-4);
    let extreme = row(&multi, &sets, "extreme");
    assert!(extreme.pval < 1e-8 && extreme.pval > 1e-12, "extreme p = {}", extreme.pval);
    assert!(extreme.log2err.is_finite() && extreme.log2err < 1.0);
    assert!(row(&simple, &sets, "extreme").pval < 1e-5);
}

#[test]
fn eps_bounds_multilevel_pvalues() {
    let mut rng = RngStream::new(8, 1);
    let n = 3000;
    let genes = gene_names(n);
    let mut stats = normal_stats(n, &mut rng);
    (0..30).for_each(|i| stats[i] = 8.0 + i as f64 * 0.01);
    let sets = vec![GeneSet::new("top", (0..30).map(|i| format!("g{i}")))];
    let opts = GseaOptions { eps: 1e-6, ..options(Method::Multilevel, 1000, 5) };
    let result = gsea_preranked(&genes, &stats, &sets, &opts, &mut Silent).unwrap();
    assert_eq!(result.rows[0].pval, 1e-6);
    assert!(result.rows[0].log2err.is_nan());
    assert_eq!(result.notes.at_eps, 1);
}

fn matrix(n: usize, samples: usize, rng: &mut RngStream) -> Vec<f64> {
    let mut data = normal_stats(n * samples, rng);
    for j in 0..samples {
        for i in 0..25 {
            data[j * n + i] += 0.4 * j as f64; // enrichment grows with the sample index
        }
    }
    data
}

#[test]
fn results_do_not_depend_on_threads_and_per_sample_equals_preranked() {
    let mut rng = RngStream::new(2, 0);
    let n = 800;
    let samples = 11; // more than one lane group, last one partial
    let genes = gene_names(n);
    let data = matrix(n, samples, &mut rng);
    let mut sets: Vec<GeneSet> = (0..12).map(|i| random_set(&format!("r{i}"), n, 15 + 7 * i, &mut rng)).collect();
    sets.push(GeneSet::new("planted", (0..25).map(|i| format!("g{i}"))));
    let view = ExpressionView::new(&data, n, samples).unwrap();
    for method in [Method::Simple, Method::Multilevel] {
        let one = GseaOptions { n_threads: 1, ..options(method, 3000, 77) };
        let two = GseaOptions { n_threads: 2, ..one.clone() };
        let a = gsea_per_sample(&genes, view, &sets, &one, &mut Silent).unwrap();
        let b = gsea_per_sample(&genes, view, &sets, &two, &mut Silent).unwrap();
        assert_eq!(a, b, "{method:?}: 1 vs 2 threads");
        for j in [0, 7, 10] {
            let single = gsea_preranked(&genes, view.sample(j), &sets, &two, &mut Silent).unwrap();
            assert_eq!(single, a[j], "{method:?}: sample {j}");
        }
        let planted_last = row(&a[samples - 1], &sets, "planted");
        assert!(planted_last.pval < 1e-3, "{method:?}: {planted_last:?}");
    }
}

#[test]
fn seeds_change_pvalues_but_not_scores() {
    let mut rng = RngStream::new(3, 3);
    let n = 500;
    let genes = gene_names(n);
    let stats = normal_stats(n, &mut rng);
    let sets: Vec<GeneSet> = (0..5).map(|i| random_set(&format!("r{i}"), n, 20, &mut rng)).collect();
    let a = gsea_preranked(&genes, &stats, &sets, &options(Method::Simple, 500, 1), &mut Silent).unwrap();
    let b = gsea_preranked(&genes, &stats, &sets, &options(Method::Simple, 500, 2), &mut Silent).unwrap();
    assert!(a.rows.iter().zip(&b.rows).all(|(x, y)| x.es == y.es));
    assert!(a.rows.iter().zip(&b.rows).any(|(x, y)| x.pval != y.pval));
}

#[test]
fn size_filter_uses_genes_present_in_the_ranking() {
    let genes = gene_names(100);
    let stats: Vec<f64> = (0..100).map(|i| i as f64).collect();
    let sets = vec![
        GeneSet::new("half_missing", (0..20).map(|i| format!("g{}", i * 10))), // 10 present
        GeneSet::new("present", (0..20).map(|i| format!("g{i}"))),
    ];
    let opts = GseaOptions { min_size: 15, max_size: 500, nperm: 100, ..GseaOptions::default() };
    let result = gsea_preranked(&genes, &stats, &sets, &opts, &mut Silent).unwrap();
    assert_eq!(result.rows.len(), 1);
    assert_eq!((result.rows[0].set, result.rows[0].size), (1, 20));
}

#[test]
fn bad_input_errors_name_the_argument() {
    let genes = gene_names(4);
    let sets = vec![GeneSet::new("s", ["g0", "g1"])];
    let err = gsea_preranked(&genes, &[1.0, f64::NAN, 2.0, 3.0], &sets, &GseaOptions::default(), &mut Silent)
        .unwrap_err();
    assert_eq!(err.to_string(), "`stats` has 1 NA or non-finite values");
    let dup: Vec<String> = ["a", "b", "a", "c"].iter().map(|s| s.to_string()).collect();
    let err = gsea_preranked(&dup, &[1.0, 2.0, 3.0, 4.0], &sets, &GseaOptions::default(), &mut Silent).unwrap_err();
    assert!(err.to_string().contains("duplicated gene name"));
    let opts = GseaOptions { nperm: 0, ..GseaOptions::default() };
    let err = gsea_preranked(&genes, &[1.0, 2.0, 3.0, 4.0], &sets, &opts, &mut Silent).unwrap_err();
    assert!(matches!(err, GseaError::InvalidArgument { ref arg, .. } if arg == "nperm"));
}

#[test]
fn ctrl_c_stops_between_blocks() {
    let mut rng = RngStream::new(4, 0);
    let n = 2000;
    let genes = gene_names(n);
    let stats = normal_stats(n, &mut rng);
    let sets: Vec<GeneSet> = (0..50).map(|i| random_set(&format!("r{i}"), n, 15 + 9 * i, &mut rng)).collect();
    let mut monitor = CancelAt::new(1);
    let err = gsea_preranked(&genes, &stats, &sets, &options(Method::Simple, 100_000, 1), &mut monitor).unwrap_err();
    assert_eq!(err, GseaError::Interrupted);
    assert_eq!(monitor.steps.len(), 1);
}

#[test]
fn hallmark_gmt_parses_to_50_sets() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/h.all.v6.2.symbols.gmt");
    if !path.exists() {
        eprintln!("skipped: {} is absent", path.display());
        return;
    }
    let sets = rg_gsea::read_gmt(&path).unwrap();
    assert_eq!(sets.len(), 50);
    assert!(sets.iter().all(|s| s.name.starts_with("HALLMARK_") && s.genes.len() >= 30));
}
