//! `Engine::to_compiled` / `from_compiled`: the engine comes back as it
//! was compiled, and bytes of another format are refused.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use zgen_runtime::Engine;

const SCHEMA: &str = include_str!("../../../examples/blog/schema.zmodel");

#[test]
fn compiled_bytes_round_trip_to_the_same_engine() {
    let engine = Engine::from_source(SCHEMA).unwrap();
    let bytes = engine.to_compiled();
    let back = Engine::from_compiled(&bytes).unwrap();
    assert_eq!(
        format!("{:?}", back.schema()),
        format!("{:?}", engine.schema())
    );
    assert_eq!(
        format!("{:?}", back.policies()),
        format!("{:?}", engine.policies())
    );
    assert_eq!(back.to_compiled(), bytes);
}

#[test]
fn other_formats_and_garbage_are_refused() {
    let mut bytes = Engine::from_source(SCHEMA).unwrap().to_compiled();
    bytes[0] = bytes[0].wrapping_add(1);
    let err = Engine::from_compiled(&bytes).err().unwrap();
    assert!(err.contains("format") || err.contains("decoded"), "{err}");
    assert!(Engine::from_compiled(b"nonsense").is_err());
}
