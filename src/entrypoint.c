// Forwards routine registration to the Rust glue (and keeps the linker from dropping the
// static library).
void R_init_radiogenomics_extendr(void *dll);

void R_init_radiogenomics(void *dll) {
    R_init_radiogenomics_extendr(dll);
}
