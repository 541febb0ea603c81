fn main() {
    // The chat schema, the generator's type fixture (every field kind)
    // for `tests/field_types.rs`, and a schema whose rules read no member
    // of the auth value (`tests/signed_in.rs`).
    let schemas = [
        ("schema.zmodel", "zgen"),
        (
            "../../crates/zgen-codegen/tests/fixtures/shop.zmodel",
            "shop",
        ),
        (
            "../../crates/zgen-codegen/tests/fixtures/signed_in.zmodel",
            "signed_in",
        ),
    ];
    for (schema, subdir) in schemas {
        if let Err(e) = zgen_build::Config::new().subdir(subdir).compile(schema) {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
