//! Result types that follow a query's shape: [`select!`](crate::select)
//! and [`include!`](crate::include) declare a struct with exactly the
//! fields a `select` or `include` returns, typed from the schema, and the
//! arguments that ask for them; [`Query::shape`](crate::Query::shape)
//! makes a query return it.
//!
//! The macros know nothing of any schema. Each generated model module
//! holds a table, `__fields!` (one rule per field: its JSON key, its
//! kind, its serde attributes), and `__ty`, the Rust type of every field
//! by name (relations: the related model's module). The macros here walk
//! the user's field list and ask the table about each field; the table
//! answers by calling back into [`__shape!`](crate::__shape) with what it
//! knows, so an unknown field stops at the table's last rule with a
//! readable error.

use crate::args::Model;
use crate::Map;
use serde::de::DeserializeOwned;
use serde_json::Value as Json;

/// A result type declared with [`select!`](crate::select) or
/// [`include!`](crate::include): the rows of `Model` as a query with
/// these arguments returns them.
pub trait Shape: DeserializeOwned + 'static {
    type Model: Model;
    /// The argument the shape sets: `select` or `include`.
    const KEY: &'static str;
    /// The argument's value: the fields (or relations) to return.
    fn args() -> Map;
}

/// The value a nested shape takes inside its parent's arguments:
/// `{"select": {...}}` or `{"include": {...}}`.
#[doc(hidden)]
pub fn nested<S: Shape>() -> Json {
    let mut map = Map::new();
    map.insert(S::KEY.to_string(), Json::Object(S::args()));
    Json::Object(map)
}

/// [`nested`] for a shape named in another shape, which must be one of
/// `M`, the relation's model.
#[doc(hidden)]
pub fn nested_of<S: Shape<Model = M>, M: Model>() -> Json {
    nested::<S>()
}

/// Declares a struct with the fields a `select` returns, and the `select`
/// that returns them:
///
/// ```ignore
/// zgen_client::select!(db::post => pub struct PostCard {
///     id,
///     title,
///     author: AuthorName { name },   // a nested shape of the related model
///     comments: CommentText,         // a shape of `Comment` declared elsewhere
///     tags,                          // a relation as the related model struct
/// });
/// let cards: Vec<PostCard> = client.post().find_many().shape::<PostCard>().exec()?;
/// ```
///
/// Field types come from the schema: optional, masked or `@omit` fields
/// are `Option`, to-one relations `Option` (an unreadable related row is
/// null), to-many ones `Vec`. `db::post` is the model's generated module.
#[macro_export]
macro_rules! select {
    ($($m:ident)::+ => $(#[$a:meta])* $vis:vis struct $name:ident { $($body:tt)* }) => {
        $crate::__shape! {
            @munch [select sel [$($m)::+] [$(#[$a])*] [$vis] $name] [] [] $($body)*
        }
    };
}

/// Declares a struct with the fields an `include` returns — every stored
/// field the model returns by default, plus the listed relations — and the
/// `include` that returns them:
///
/// ```ignore
/// zgen_client::include!(db::post => pub struct PostWithAuthor { author });
/// zgen_client::include!(db::user => pub struct Writer { posts: PostTitle { title } });
/// ```
#[macro_export]
macro_rules! include {
    ($($m:ident)::+ => $(#[$a:meta])* $vis:vis struct $name:ident { $($body:tt)* }) => {
        $crate::__shape! {
            @munch [include rels [$($m)::+] [$(#[$a])*] [$vis] $name] [] [] $($body)*
        }
    };
}

/// The machinery of [`select!`] and [`include!`].
///
/// The state travels as `@munch [header] [fields] [nested items] input`:
/// the header is `[key phase [module path] [attributes] [visibility] Name]`,
/// each field `[name "key" [, serde attributes] (type) [argument value]]`.
/// The phase is `sel` (a select: every field is asked for) or `rels` (an
/// include's list: relations only). A model's table (`__fields!`) is asked
/// with `{[header fields items nested (rest of the input)] field}` and
/// answers `got [state] [field "key" class [, serde attributes]]`, the
/// class `value`, `one` or `many`; asked `{all [state]}`, it answers with
/// every field a query returns by default, `all [state] [field "key"
/// [serde]]…`, taken in one step. (Each field costs three nested macro
/// calls, so a shape stays far below the recursion limit.)
#[doc(hidden)]
#[macro_export]
macro_rules! __shape {
    // A field with a nested shape of the related model.
    (@munch [$k:ident $p:ident [$($m:ident)::+] $($h:tt)*] $acc:tt $items:tt
        $f:ident : $n:ident { $($inner:tt)* } $(, $($rest:tt)*)?) => {
        $($m)::+::__fields! {
            [[$k $p [$($m)::+] $($h)*] $acc $items [$n { $($inner)* }] ($($($rest)*)?)] $f
        }
    };
    // A relation as a shape declared elsewhere.
    (@munch [$k:ident $p:ident [$($m:ident)::+] $($h:tt)*] $acc:tt $items:tt
        $f:ident : $($n:ident)::+ $(, $($rest:tt)*)?) => {
        $($m)::+::__fields! {
            [[$k $p [$($m)::+] $($h)*] $acc $items [shape ($($n)::+)] ($($($rest)*)?)] $f
        }
    };
    // A field as it is.
    (@munch [$k:ident $p:ident [$($m:ident)::+] $($h:tt)*] $acc:tt $items:tt
        $f:ident $(, $($rest:tt)*)?) => {
        $($m)::+::__fields! {
            [[$k $p [$($m)::+] $($h)*] $acc $items [] ($($($rest)*)?)] $f
        }
    };
    // An include's list is done: its model's own fields follow.
    (@munch [include rels [$($m:ident)::+] $($h:tt)*] $acc:tt $items:tt) => {
        $($m)::+::__fields! { all [[include rels [$($m)::+] $($h)*] $acc $items] }
    };
    (@munch $h:tt $acc:tt $items:tt) => {
        $crate::__shape!(@emit $h $acc $items);
    };

    // The table's answers.
    (all [[$k:ident $p:ident $m:tt $($h:tt)*] [$($acc:tt)*] $items:tt]
        $([$f:ident $key:tt $serde:tt])*) => {
        $crate::__shape!(@emit [$k $p $m $($h)*]
            [$($acc)* $([$f $key $serde ($crate::__shape!(@ty $m $f)) []])*] $items);
    };
    (@ty [$($m:ident)::+] $f:ident) => { $($m)::+::__ty::$f };
    (unknown $model:literal $f:ident) => {
        ::core::compile_error!(::core::concat!(
            "model `", $model, "` has no field `", ::core::stringify!($f), "`"
        ));
    };
    // A stored value.
    (got [[$k:ident rels $($h:tt)*] $acc:tt $items:tt $n:tt $rest:tt]
        [$f:ident $key:tt value $serde:tt]) => {
        ::core::compile_error!(::core::concat!(
            "`", ::core::stringify!($f),
            "` is not a relation: `include!` lists relations (the model's own fields come anyway)"
        ));
    };
    (got [$h:tt $acc:tt $items:tt [$n:ident $inner:tt] $rest:tt]
        [$f:ident $key:tt value $serde:tt]) => {
        ::core::compile_error!(::core::concat!(
            "`", ::core::stringify!($f), "` is not a relation: it has no fields to select"
        ));
    };
    (got [[$k:ident $p:ident [$($m:ident)::+] $($h:tt)*] [$($acc:tt)*] $items:tt [] ($($rest:tt)*)]
        [$f:ident $key:tt value $serde:tt]) => {
        $crate::__shape!(@munch [$k $p [$($m)::+] $($h)*]
            [$($acc)* [$f $key $serde ($($m)::+::__ty::$f)
                [$crate::serde_json::Value::Bool(true)]]]
            $items $($rest)*);
    };
    // A relation as the related model's struct.
    (got [[$k:ident $p:ident [$($m:ident)::+] $($h:tt)*] [$($acc:tt)*] $items:tt [] ($($rest:tt)*)]
        [$f:ident $key:tt $many:ident $serde:tt]) => {
        $crate::__shape!(@munch [$k $p [$($m)::+] $($h)*]
            [$($acc)* [$f $key $serde
                ($crate::__shape!(@wrap $many $($m)::+::__ty::$f::__ty::__Model))
                [$crate::serde_json::Value::Bool(true)]]]
            $items $($rest)*);
    };
    // A relation as a nested shape, declared next to this one.
    (got [[$k:ident $p:ident [$($m:ident)::+] [$($a:tt)*] [$vis:vis] $name:ident]
            [$($acc:tt)*] [$($items:tt)*] [$n:ident { $($inner:tt)* }] ($($rest:tt)*)]
        [$f:ident $key:tt $many:ident $serde:tt]) => {
        $crate::__shape!(@munch [$k $p [$($m)::+] [$($a)*] [$vis] $name]
            [$($acc)* [$f $key $serde ($crate::__shape!(@wrap $many $n))
                [$crate::shape::nested::<$n>()]]]
            [$($items)* [$($m)::+::__ty::$f [$vis] $n { $($inner)* }]]
            $($rest)*);
    };
    // A relation as a shape declared elsewhere, of the related model.
    (got [$h:tt [$($acc:tt)*] $items:tt [shape ($($n:ident)::+)] ($($rest:tt)*)]
        [$f:ident $key:tt $many:ident $serde:tt]) => {
        $crate::__shape!(@munch $h [$($acc)* [$f $key $serde
                ($crate::__shape!(@wrap $many $($n)::+))
                [$crate::__shape!(@nested_of $h $f $($n)::+)]]]
            $items $($rest)*);
    };
    (@nested_of [$k:ident $p:ident [$($m:ident)::+] $($h:tt)*] $f:ident $($n:ident)::+) => {
        $crate::shape::nested_of::<$($n)::+, $($m)::+::__ty::$f::__ty::__Model>()
    };

    (@wrap one $t:ty) => { ::core::option::Option<$t> };
    (@wrap many $t:ty) => { ::std::vec::Vec<$t> };

    (@emit [$k:ident $p:ident [$($m:ident)::+] [$($a:tt)*] [$vis:vis] $name:ident]
        [$([$f:ident $key:tt [$($serde:tt)*] ($($ty:tt)*) [$($arg:tt)*]])*]
        [$([$($nm:ident)::+ [$nvis:vis] $n:ident { $($inner:tt)* }])*]) => {
        $($a)*
        #[derive(::core::fmt::Debug, ::core::clone::Clone, ::core::cmp::PartialEq)]
        #[derive($crate::serde::Deserialize)]
        #[serde(crate = "::zgen_client::serde")]
        $vis struct $name {
            $(
                #[serde(rename = $key $($serde)*)]
                pub $f: $($ty)*,
            )*
        }
        impl $crate::Shape for $name {
            type Model = $($m)::+::__ty::__Model;
            const KEY: &'static str = ::core::stringify!($k);
            fn args() -> $crate::Map {
                #[allow(unused_mut)]
                let mut map = $crate::Map::new();
                $($crate::__shape!(@arg map $key $($arg)*);)*
                map
            }
        }
        $($crate::select!($($nm)::+ => $nvis struct $n { $($inner)* });)*
    };
    (@arg $map:ident $key:tt) => {};
    (@arg $map:ident $key:tt $($arg:tt)+) => {
        $map.insert(::std::string::ToString::to_string($key), $($arg)+);
    };
}
