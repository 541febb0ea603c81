fn main() {
    if let Err(e) = zgen_build::Config::new()
        .http_api(true)
        .compile("schema.zmodel")
    {
        eprintln!("{e}");
        std::process::exit(1);
    }
}
