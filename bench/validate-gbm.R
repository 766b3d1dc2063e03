# Validation on real data: the published TCGA glioblastoma (GBM) subtype analysis
# (Smedley, El-Saden & Hsu, Bioinformatics 2020), reproduced with the package's public API.
#
# What it does
#   1. reads the Verhaak et al. (2010) 840-gene expression matrix with its subtype labels and the
#      gene -> subtype set column (PN, NL, CL, MES), the MSigDB hallmarks, and the TCGA clinical
#      patient file (overall survival, age, gender);
#   2. run_pipeline(): a 4-class subtype network, 10-fold cross-validation (micro-AUC) and a refit;
#      gene masking with the 4 Verhaak sets + 50 hallmarks and single-gene masking; per-sample
#      saliency -> per-sample GSEA -> radiogenomic traits; Kaplan-Meier / log-rank and Cox models
#      (adjusted for age and gender) by subtype and by radiogenomic trait;
#   3. report(): the package's HTML report; plus the numbers the paper quotes in
#      <out_dir>/summary.txt: CV micro-AUC, each subtype's own-set masking AUC and its rank among
#      all sets (published: each subtype is predicted best by its own set), the log-rank p of OS by
#      subtype and the Cox hazard ratios by subtype adjusted for age and gender.
#
# Run (from the project root, the package installed into R_LIBS):
#   R_LIBS=/tmp/rlib-gbm Rscript bench/validate-gbm.R [out_dir]
# out_dir defaults to $TMPDIR/radiogenomics-validate-gbm (outside the project: the saved pipeline
# holds the expression data). The data are read from ../shared/data (next to
# the project) or from $RADIOGENOMICS_SHARED_DATA; nothing is copied into the project.
# Checkpoints go to <out_dir>/checkpoints, so a second run only redoes the summary and report.
#
# Time: about 5 minutes on 2 CPU cores (the cross-validation of the paper-sized network is most of
# it); a rerun with the checkpoints in place takes under a minute.
#
# Settings: the paper's subtype network (3000/1500/750, sigmoid, dropout 0.4, Nadam, batch 10) with
# 100 epochs at most. One deliberate change: early stopping watches the validation loss
# (min_delta 0), not the validation AUC with min_delta 0.005 (nn_control()'s default, the
# reference's rule). On these data the first epoch already reaches AUC > 0.99, so no later epoch
# can improve by 0.005: each fold's best epoch would be the first or second, and refit() would
# train for 1 epoch.
# Survival times are in months (days / 30.44).

suppressPackageStartupMessages(library(radiogenomics))

# ---- settings ----------------------------------------------------------------------------------

SEED <- 425  # the reference implementation's seed
NETWORK <- list(hidden = c(3000, 1500, 750), activation = "sigmoid", dropout = 0.4)  # the paper's Table 1
CONTROL <- nn_control(epochs = 100, optimizer = "nadam", batch_size = 10, monitor = "val_loss", min_delta = 0,
                      patience = 20, verbose = FALSE)
NPERM <- 10000  # METHOD.md (fgsea nperm in the reference)
DAYS_PER_MONTH <- 365.25 / 12

# ---- locating the data -------------------------------------------------------------------------

script_dir <- function() {
  file_arg <- grep("^--file=", commandArgs(FALSE), value = TRUE)
  if (length(file_arg)) dirname(normalizePath(sub("^--file=", "", file_arg[[1L]]))) else getwd()
}

shared_data_dir <- function() {
  candidates <- c(Sys.getenv("RADIOGENOMICS_SHARED_DATA"),
                  file.path(script_dir(), "..", "..", "shared", "data"),
                  file.path(getwd(), "..", "shared", "data"))
  found <- candidates[nzchar(candidates) & dir.exists(candidates)]
  if (!length(found)) stop("Shared data not found; set RADIOGENOMICS_SHARED_DATA to the folder holding gbm/.")
  normalizePath(found[[1L]])
}

# ---- readers -----------------------------------------------------------------------------------

# TCGA patient barcode (TCGA-02-0003) from a sample or aliquot barcode in any common spelling
# (TCGA-02-0003-01A-01, tcga.02.0003.01, ...).
patient_barcode <- function(x) substr(gsub(".", "-", toupper(trimws(x)), fixed = TRUE), 1L, 12L)

# Tab-separated lines without CR, blank lines dropped, split into fields.
read_tab_lines <- function(path) {
  lines <- sub("\r$", "", readLines(path, warn = FALSE))
  strsplit(lines[nzchar(trimws(lines))], "\t", fixed = TRUE)
}

# TCGA_unified_CORE_ClaNC840.txt: line 1 = CLID, a description, sample barcodes; line 2 =
# "Subtype", a description, each sample's subtype; then gene, its subtype set (PN/NL/CL/MES or
# blank), values. Survives the real file's quirks (mixed CRLF/LF, a blank line, a label with a
# trailing space, one gene listed twice: its rows are averaged, its set memberships united).
# Samples are named by patient barcode (first 12 characters), which the clinical file uses.
read_verhaak <- function(path) {
  fields <- read_tab_lines(path)
  barcodes <- trimws(fields[[1L]][-(1:2)])
  subtype <- trimws(fields[[2L]][-(1:2)])[seq_along(barcodes)]
  patients <- patient_barcode(barcodes)
  if (anyDuplicated(patients)) stop("Several samples of one patient in ", basename(path))
  rows <- fields[-(1:2)]
  genes <- trimws(vapply(rows, `[[`, character(1), 1L))
  set <- trimws(vapply(rows, function(r) if (length(r) >= 2L) r[[2L]] else "", character(1)))
  values <- t(vapply(rows, function(r) as.numeric(r[-(1:2)])[seq_along(barcodes)], numeric(length(barcodes))))
  counts <- as.vector(table(genes)[unique(genes)])
  expression <- rowsum(values, genes, reorder = FALSE) / counts
  dimnames(expression) <- list(unique(genes), patients)
  in_set <- set %in% c("PN", "NL", "CL", "MES")
  sets <- lapply(split(genes[in_set], set[in_set]), unique)
  names(sets) <- paste0("VERHAAK_", names(sets))
  list(expression = expression, subtype = stats::setNames(factor(subtype), patients), gene_sets = sets,
       barcodes = stats::setNames(barcodes, patients), duplicated_genes = unique(genes[duplicated(genes)]))
}

# nationwidechildrens.org_clinical_patient_gbm.txt: a header line, then a second header (long
# names) and a CDE_ID line, then one row per patient. Either header's names are accepted.
# "[Not Available]"-style entries become NA.
read_tcga_clinical <- function(path) {
  fields <- read_tab_lines(path)
  header <- fields[[1L]]
  body <- fields[-1L]
  is_header <- vapply(body, function(r) r[[1L]] %in% c("bcr_patient_uuid", "bcr_patient_barcode") ||
                        startsWith(r[[1L]], "CDE_ID"), logical(1))
  names_long <- if (any(is_header)) body[is_header][[1L]] else header
  body <- body[!is_header]
  table <- as.data.frame(do.call(rbind, lapply(body, function(r) r[seq_along(header)])), stringsAsFactors = FALSE)
  names(table) <- header
  # add the long names as aliases (days_to_death for death_days_to, ...)
  aliases <- setdiff(names_long, header)
  table[aliases] <- table[match(aliases, names_long)]
  table[] <- lapply(table, function(v) { v <- trimws(v); v[grepl("^\\[.*\\]$", v) | v == ""] <- NA; v })
  table
}

# Overall survival from the clinical table: Dead -> days to death, event; Alive -> days to last
# follow-up, censored. Returns list(data = one row per patient with time in months, status, age
# in years, gender; dropped = counts of rows removed and why).
overall_survival <- function(clinical) {
  column <- function(...) {
    for (name in c(...)) if (name %in% names(clinical)) return(clinical[[name]])
    stop("The clinical file has none of the columns ", paste(c(...), collapse = ", "))
  }
  vital <- toupper(column("vital_status"))
  death <- suppressWarnings(as.numeric(column("days_to_death", "death_days_to")))
  followup <- suppressWarnings(as.numeric(column("days_to_last_followup", "last_contact_days_to")))
  d <- data.frame(sample = patient_barcode(column("bcr_patient_barcode")),
                  status = ifelse(vital == "DEAD", 1L, ifelse(vital == "ALIVE", 0L, NA_integer_)),
                  age = suppressWarnings(as.numeric(column("age_at_initial_pathologic_diagnosis"))),
                  gender = factor(column("gender"), levels = c("FEMALE", "MALE")),
                  stringsAsFactors = FALSE)
  d$time <- ifelse(d$status == 1L, death, followup) / DAYS_PER_MONTH
  reasons <- list("vital status missing" = is.na(d$status),
                  "survival time missing" = is.na(d$time),
                  "negative survival time" = !is.na(d$time) & d$time < 0,
                  "age missing" = is.na(d$age),
                  "gender missing" = is.na(d$gender))
  dropped <- drop_counts(reasons)
  keep <- !Reduce(`|`, reasons)
  list(data = d[keep, c("sample", "time", "status", "age", "gender")], dropped = dropped, n_rows = nrow(d))
}

# How many rows each reason removes, counting a row under its first reason only.
drop_counts <- function(reasons) {
  taken <- rep(FALSE, length(reasons[[1L]]))
  n <- vapply(reasons, function(r) { new <- r & !taken; taken <<- taken | r; sum(new) }, numeric(1))
  data.frame(reason = names(reasons), rows = n, row.names = NULL)
}

# Which rows the survival analysis lost, in words.
dropped_text <- function(os, samples, clinical) {
  reasons <- os$dropped[os$dropped$rows > 0, ]
  sprintf("clinical file %d patients, %s dropped; %d expression samples not in the clinical file",
          os$n_rows, if (nrow(reasons)) paste(sprintf("%d (%s)", reasons$rows, reasons$reason), collapse = ", ") else "none",
          sum(!samples %in% patient_barcode(clinical$bcr_patient_barcode)))
}

# ---- results -----------------------------------------------------------------------------------

OWN_SET <- c(Classical = "VERHAAK_CL", Mesenchymal = "VERHAAK_MES", Neural = "VERHAAK_NL", Proneural = "VERHAAK_PN")

# Each subtype's own Verhaak set: masking AUC and average precision, their ranks among all sets
# (sets without any gene among the 840 have no score), and the best set by AUC.
own_set_masking <- function(masking) {
  scored <- masking[!is.na(masking$auc), ]
  do.call(rbind, lapply(names(OWN_SET), function(subtype) {
    rows <- scored[scored$class == subtype, ]
    own <- rows$gene_set == OWN_SET[[subtype]]
    best <- which.max(rows$auc)
    data.frame(subtype = subtype, own_set = OWN_SET[[subtype]], size = rows$size[own],
               auc = rows$auc[own], auc_rank = sum(rows$auc > rows$auc[own]) + 1L,
               ap = rows$ap[own], ap_rank = sum(rows$ap > rows$ap[own]) + 1L, n_sets = nrow(rows),
               best_set = rows$gene_set[[best]], best_auc = rows$auc[[best]])
  }))
}

# Saliency -> per-sample GSEA: how many samples' saliency for each subtype is positively enriched
# (padj < 0.05) for that subtype's own set, and the other radiogenomic traits of that subtype.
own_set_saliency <- function(rg_matrix, n_samples) {
  counts <- colSums(rg_matrix, na.rm = TRUE)
  do.call(rbind, lapply(names(OWN_SET), function(subtype) {
    prefix <- paste0("subtype.", subtype, ".")
    mine <- counts[startsWith(names(counts), prefix)]
    own <- mine[paste0(prefix, OWN_SET[[subtype]])]
    others <- sort(mine[names(mine) != paste0(prefix, OWN_SET[[subtype]])], decreasing = TRUE)
    data.frame(subtype = subtype, own_set = OWN_SET[[subtype]], samples = if (is.na(own)) 0 else own, of = n_samples,
               other_traits = if (length(others)) paste(sprintf("%s (%d)", sub(prefix, "", names(others), fixed = TRUE), others),
                                                        collapse = ", ") else "none")
  }))
}

# Cox model of overall survival by subtype adjusted for age (per 10 years) and gender, with
# Proneural as the reference (the subtype with the longest survival in Verhaak et al.).
subtype_cox <- function(survival, subtype) {
  d <- survival
  d$subtype <- stats::relevel(subtype[d$sample], ref = "Proneural")
  d$age_10y <- d$age / 10
  fit <- cox_fit(survival::Surv(time, status) ~ subtype + age_10y + gender, data = d)
  fit$table[c("term", "hr", "lower", "upper", "p")]
}

format_summary <- function(cv, own, saliency, logrank_p, subtype_lr_p, cox, cohort, elapsed) {
  fmt <- function(x) formatC(x, digits = 3, format = "g")
  c("TCGA GBM validation (Verhaak 840 genes, 4 subtypes)",
    sprintf("cohort: %d samples x %d genes; %d gene sets (4 Verhaak + %d hallmarks), %d overlapping the genes",
            cohort$n_samples, cohort$n_genes, cohort$n_sets, cohort$n_sets - 4L, own$n_sets[[1L]]),
    sprintf("survival: %d of %d samples (%d deaths); %s", cohort$n_survival, cohort$n_samples, cohort$n_events,
            cohort$dropped_text),
    "",
    sprintf("CV micro-AUC (10-fold, mean over folds): %.3f (SD %.3f); pooled out-of-fold: %.3f",
            cv$auc, cv$auc_sd, cv$pooled_auc),
    "",
    "Gene masking: each subtype's own Verhaak set (rank among all scored sets)",
    sprintf("  %-12s %-12s size %3d  AUC %.4f rank %d  AP %.4f rank %d  of %d  (best AUC: %s %.4f)", own$subtype,
            own$own_set, own$size, own$auc, own$auc_rank, own$ap, own$ap_rank, own$n_sets, own$best_set, own$best_auc),
    "",
    "Saliency -> per-sample GSEA: samples whose subtype saliency is enriched (padj < 0.05, NES > 0) for its own set",
    sprintf("  %-12s %-12s %3d of %d; other traits: %s", saliency$subtype, saliency$own_set, saliency$samples,
            saliency$of, saliency$other_traits),
    "",
    "Overall survival by subtype",
    sprintf("  log-rank p = %s", fmt(logrank_p)),
    sprintf("  Cox adjusted for age and gender: subtype likelihood-ratio test p = %s", fmt(subtype_lr_p)),
    "  hazard ratios (reference: Proneural, female; age per 10 years):",
    sprintf("    %-20s HR %.2f (95%% CI %.2f-%.2f)  p = %s", cox$term, cox$hr, cox$lower, cox$upper, fmt(cox$p)),
    "",
    sprintf("elapsed: %.1f min", elapsed / 60))
}

# ---- main --------------------------------------------------------------------------------------

main <- function(out_dir) {
  started <- Sys.time()
  dir.create(out_dir, showWarnings = FALSE, recursive = TRUE)
  data_dir <- shared_data_dir()
  gbm <- read_verhaak(file.path(data_dir, "gbm", "TCGA_unified_CORE_ClaNC840.txt"))
  hallmarks <- read_gmt(file.path(data_dir, "h.all.v6.2.symbols.gmt"))
  gene_sets <- c(gbm$gene_sets, hallmarks)
  clinical <- read_tcga_clinical(file.path(data_dir, "gbm", "nationwidechildrens.org_clinical_patient_gbm.txt"))
  os <- overall_survival(clinical)
  matched <- intersect(colnames(gbm$expression), os$data$sample)

  message(sprintf("expression: %d genes x %d samples (%s); subtypes: %s", nrow(gbm$expression), ncol(gbm$expression),
                  if (length(gbm$duplicated_genes)) paste("averaged duplicate", paste(gbm$duplicated_genes, collapse = ", ")) else "no duplicates",
                  paste(names(table(gbm$subtype)), table(gbm$subtype), collapse = ", ")))
  message(sprintf("gene sets: %s; %d hallmarks", paste(names(gbm$gene_sets), lengths(gbm$gene_sets), collapse = ", "), length(hallmarks)))
  message("survival: ", dropped_text(os, colnames(gbm$expression), clinical))

  traits <- data.frame(subtype = gbm$subtype, row.names = names(gbm$subtype))
  pipeline <- run_pipeline(gbm$expression, traits, gene_sets, survival = os$data, covariates = c("age", "gender"),
                           hidden = NETWORK$hidden, activation = NETWORK$activation, dropout = NETWORK$dropout,
                           folds = 10, early_stopping = "inner", control = CONTROL, nperm = NPERM,
                           cache_dir = file.path(out_dir, "checkpoints"), seed = SEED, verbose = TRUE)
  print(pipeline)
  report_path <- report(pipeline, file.path(out_dir, "report.html"), title = "TCGA glioblastoma: subtype network validation")
  saveRDS(pipeline, file.path(out_dir, "pipeline.rds"))

  cv <- pipeline_results(pipeline, "cv")
  own <- own_set_masking(pipeline$traits$subtype$masking)
  tests <- pipeline_results(pipeline, "survival")
  subtype_row <- tests[tests$variable == "subtype", ]
  saliency <- own_set_saliency(pipeline$radiogenomic_traits, ncol(gbm$expression))
  cox <- subtype_cox(os$data[os$data$sample %in% matched, ], gbm$subtype)
  cohort <- list(n_samples = ncol(gbm$expression), n_genes = nrow(gbm$expression), n_sets = length(gene_sets),
                 n_survival = subtype_row$n, n_events = subtype_row$events,
                 dropped_text = dropped_text(os, colnames(gbm$expression), clinical))
  summary_lines <- format_summary(cv, own, saliency, subtype_row$logrank_p, subtype_row$p_adjusted, cox, cohort,
                                  as.numeric(difftime(Sys.time(), started, units = "secs")))
  writeLines(summary_lines, file.path(out_dir, "summary.txt"))
  utils::write.csv(own, file.path(out_dir, "own-set-masking.csv"), row.names = FALSE)
  utils::write.csv(saliency, file.path(out_dir, "own-set-saliency.csv"), row.names = FALSE)
  utils::write.csv(os$dropped, file.path(out_dir, "survival-rows-dropped.csv"), row.names = FALSE)
  cat("\n", paste(summary_lines, collapse = "\n"), "\n", sep = "")
  cat(sprintf("\nReport: %s\nSummary: %s\n", normalizePath(report_path), normalizePath(file.path(out_dir, "summary.txt"))))
}

args <- commandArgs(trailingOnly = TRUE)
# default outside the project: pipeline.rds holds the expression data, which stay out of the tree
main(if (length(args)) args[[1L]] else file.path(dirname(tempdir()), "radiogenomics-validate-gbm"))
