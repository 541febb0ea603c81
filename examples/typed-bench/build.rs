fn main() {
    // `db`: the benchmark's client; `db_time`: the same schema with
    // `time::OffsetDateTime` fields, for the tests of the `time` option.
    let configs = [
        zgen_build::Config::new(),
        zgen_build::Config::new()
            .subdir("zgen_time")
            .datetime(zgen_build::DateTimes::Time),
    ];
    for config in configs {
        if let Err(e) = config.compile("schema.zmodel") {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
