// `postCount` is `@computed`: results have it, create data cannot set it.
use chat::shop::AccountCreate;

fn main() {
    let _ = AccountCreate::new().email("a@x.io").post_count(3);
}
