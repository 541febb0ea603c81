//! The generated API's types at work: correct use compiles, misuse does not.

#[test]
fn generated_api_compile_tests() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass_*.rs");
    t.compile_fail("tests/ui/unknown_field.rs");
    t.compile_fail("tests/ui/wrong_type.rs");
    t.compile_fail("tests/ui/wrong_model.rs");
    t.compile_fail("tests/ui/unique_needs_key.rs");
    t.compile_fail("tests/ui/no_where_on_create.rs");
    t.compile_fail("tests/ui/read_only_field.rs");
    t.compile_fail("tests/ui/shape_unknown_field.rs");
    t.compile_fail("tests/ui/shape_wrong_type.rs");
    t.compile_fail("tests/ui/shape_relation_on_scalar.rs");
    t.compile_fail("tests/ui/shape_other_model.rs");
    t.compile_fail("tests/ui/shape_include_scalar.rs");
    t.compile_fail("tests/ui/shape_count_to_one.rs");
    t.compile_fail("tests/ui/shape_nested_where_wrong_model.rs");
}
