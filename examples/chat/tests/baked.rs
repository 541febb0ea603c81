//! The engine baked into the generated code is exactly the one the runtime
//! compiles from the same schema.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use zgen_client::zgen_runtime::Engine;

#[test]
fn baked_engine_equals_the_runtime_compiled_one() {
    let source = include_str!("../schema.zmodel");
    let compiled_now = Engine::from_source(source).unwrap();
    let baked = chat::db::engine().unwrap();
    assert_eq!(
        format!("{:?}", baked.schema()),
        format!("{:?}", compiled_now.schema())
    );
    assert_eq!(
        format!("{:?}", baked.policies()),
        format!("{:?}", compiled_now.policies())
    );
    assert_eq!(chat::db::COMPILED, &compiled_now.to_compiled()[..]);
}
