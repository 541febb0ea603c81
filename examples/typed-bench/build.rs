fn main() {
    if let Err(e) = zgen_build::Config::new().compile("schema.zmodel") {
        eprintln!("{e}");
        std::process::exit(1);
    }
}
