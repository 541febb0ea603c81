fn main() {
    // The chat schema, and the generator's type fixture (every field kind)
    // for `tests/field_types.rs`.
    let schemas = [
        ("schema.zmodel", "zgen"),
        (
            "../../crates/zgen-codegen/tests/fixtures/shop.zmodel",
            "shop",
        ),
    ];
    for (schema, subdir) in schemas {
        if let Err(e) = zgen_build::Config::new().subdir(subdir).compile(schema) {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
