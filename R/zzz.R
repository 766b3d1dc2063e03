.onLoad <- function(libname, pkgname) {
  if (!nzchar(Sys.getenv("RAYON_NUM_THREADS"))) {
    threads <- getOption("radiogenomics.threads", 2L)
    Sys.setenv(RAYON_NUM_THREADS = as.character(as.integer(threads)))
  }
  rg_install_quiet_panic_hook()
}
