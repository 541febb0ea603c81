//! Result types that follow a query's shape: [`select!`](crate::select)
//! and [`include!`](crate::include) declare a struct with exactly the
//! fields a `select` or `include` returns, typed from the schema, and the
//! arguments that ask for them; [`Query::shape`](crate::Query::shape)
//! makes a query return it. A shape also carries `_count` (a struct of
//! counts, [`Counts`]) and the reading arguments of nested relations
//! (`where`, `orderBy`, `skip`, `take`, set through [`Nested`] of the
//! related model, so they are typed by its builders).
//!
//! The macros know nothing of any schema. Each generated model module
//! holds a table, `__fields!` (one rule per field: its JSON key, its
//! kind, its serde attributes), and `__ty`, the Rust type of every field
//! by name (relations: the related model's module). The macros here walk
//! the user's field list and ask the table about each field; the table
//! answers by calling back into [`__shape!`](crate::__shape) with what it
//! knows, so an unknown field stops at the table's last rule with a
//! readable error.

use crate::args::{Model, Nested};
use crate::Map;
use serde::de::DeserializeOwned;
use serde_json::Value as Json;
use std::marker::PhantomData;

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
    object(S::KEY, S::args())
}

/// `{key: value}`.
fn object(key: &str, value: Map) -> Json {
    let mut map = Map::new();
    map.insert(key.to_string(), Json::Object(value));
    Json::Object(map)
}

/// [`nested`] for a shape named in another shape, which must be one of
/// `M`, the relation's model.
#[doc(hidden)]
pub fn nested_of<S: Shape<Model = M>, M: Model>() -> Json {
    nested::<S>()
}

/// A relation's value in its parent's arguments, `base` (`true`, or a
/// nested shape's `{"select": …}`) with the relation's own reading
/// arguments (`where`, `orderBy`, `skip`, `take`).
#[doc(hidden)]
pub fn relation<M: Model>(base: Json, args: Nested<M>) -> Json {
    let Json::Object(mut map) = args.into_json() else {
        return base;
    };
    if let Json::Object(shape) = base {
        map.extend(shape);
    }
    Json::Object(map)
}

/// Reading arguments of one to-many relation of the shape `S` known only
/// at run time, for [`Query::with`](crate::Query::with): `select!`
/// declares one associated function per to-many relation of the shape,
/// named after it (`Author::posts(Nested::new().take(n))`), that makes
/// them with the related model's builders.
pub struct RelationArgs<S> {
    key: &'static str,
    args: Map,
    shape: PhantomData<fn() -> S>,
}

impl<S: Shape> RelationArgs<S> {
    /// What the associated functions call, with `M` the model of the
    /// relation `key`.
    #[doc(hidden)]
    pub fn new<M: Model>(key: &'static str, args: Nested<M>) -> Self {
        let args = match args.into_json() {
            Json::Object(map) => map,
            _ => Map::new(),
        };
        RelationArgs {
            key,
            args,
            shape: PhantomData,
        }
    }

    /// Sets the arguments on the relation in `shape`, the shape's
    /// `select` or `include`, over the arguments the macro gave it.
    pub(crate) fn apply(self, shape: &mut Map) {
        match shape.entry(self.key).or_insert(Json::Bool(true)) {
            Json::Object(map) => map.extend(self.args),
            other => *other = Json::Object(self.args),
        }
    }
}

/// A relation's `where` in a shape: a filter of `M`, the related model
/// (a filter of another model is a type error that points here).
#[doc(hidden)]
pub fn filter<M: Model>(args: Nested<M>, filter: M::Where) -> Nested<M> {
    args.where_(filter)
}

/// A struct of counts declared by `_count: Name { … }` in a shape: one
/// `i64` per counted relation.
#[doc(hidden)]
pub trait Counts {
    /// The relations to count: `true`, or `{"where": …}` for the rows
    /// that match.
    fn select() -> Map;
}

/// The value of `_count` in a shape's arguments.
#[doc(hidden)]
pub fn counts<C: Counts>() -> Json {
    object("select", C::select())
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
///
/// A to-many relation takes reading arguments in parentheses, typed with
/// the related model's builders, and `_count` declares a struct with one
/// `i64` per listed to-many relation (rows the reader may read, matching
/// the entry's optional `where`):
///
/// ```ignore
/// zgen_client::select!(db::user => pub struct Author {
///     name,
///     posts(where: db::PostWhere::new().published(true), take: 5): PostTitle { title },
///     _count: AuthorCounts { posts, comments(where: db::CommentWhere::new().flagged(false)) },
/// });
/// ```
///
/// The arguments are `where`, `order_by` (repeated for tie-breakers),
/// `skip` and `take`. They are expressions evaluated inside
/// [`Shape::args`], a function: they cannot use the caller's variables.
/// Values known only at run time go through
/// [`Query::with`](crate::Query::with) and the associated function the
/// macro declares for each to-many relation of the shape:
/// `.with(Author::posts(Nested::new().take(n)))`.
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
/// zgen_client::include!(db::user => pub struct Counted { _count: Counts { posts } });
/// ```
///
/// Relations take arguments, and `_count` lists relations to count, as in
/// [`select!`](crate::select).
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
/// The state travels as `@munch [header] [fields] [items] input`: the
/// header is `[key phase [module path] [attributes] [visibility] Name]`,
/// each field `[name "key" [, serde attributes] (type) [argument value]]`,
/// each item a macro call that declares a nested shape, a struct of
/// counts or a to-many relation's associated function (`@with`). The phase is `sel` (a select: every field is asked for) or
/// `rels` (an include's list: relations only). A model's table
/// (`__fields!`) is asked with `{[header fields items nested [arguments]
/// (rest of the input)] field}` and answers `got [state] [field "key"
/// class [, serde attributes]]`, the class `value`, `one` or `many`; asked
/// `{all [state]}`, it answers with every field a query returns by
/// default, `all [state] [field "key" [serde]]…`, taken in one step. A
/// `_count` list is read by `@count` the same way, asking the table about
/// each relation with the state `[count …]`. (Each field costs three
/// nested macro calls, so a shape stays far below the recursion limit.)
#[doc(hidden)]
#[macro_export]
macro_rules! __shape {
    // `_count: Name { relation, … }`: a struct of counts, declared alongside.
    (@munch [$k:ident $p:ident [$($m:ident)::+] $a:tt [$vis:vis] $name:ident]
        [$($acc:tt)*] [$($items:tt)*] _count : $n:ident { $($inner:tt)* } $(, $($rest:tt)*)?) => {
        $crate::__shape!(@munch [$k $p [$($m)::+] $a [$vis] $name]
            [$($acc)* [_count "_count" [] ($n) [$crate::shape::counts::<$n>()]]]
            [$($items)* [$crate::__shape! { @count [$($m)::+] [$vis] $n [] $($inner)* }]]
            $($($rest)*)?);
    };
    (@munch $h:tt $acc:tt $items:tt _count $($rest:tt)*) => {
        ::core::compile_error!(
            "`_count` names a struct and the to-many relations it counts: `_count: Counts { posts }`"
        );
    };
    // A field with a nested shape of the related model.
    (@munch [$k:ident $p:ident [$($m:ident)::+] $($h:tt)*] $acc:tt $items:tt
        $f:ident $(($($args:tt)*))? : $n:ident { $($inner:tt)* } $(, $($rest:tt)*)?) => {
        $($m)::+::__fields! {
            [[$k $p [$($m)::+] $($h)*] $acc $items [$n { $($inner)* }] [$($($args)*)?]
                ($($($rest)*)?)] $f
        }
    };
    // A relation as a shape declared elsewhere.
    (@munch [$k:ident $p:ident [$($m:ident)::+] $($h:tt)*] $acc:tt $items:tt
        $f:ident $(($($args:tt)*))? : $($n:ident)::+ $(, $($rest:tt)*)?) => {
        $($m)::+::__fields! {
            [[$k $p [$($m)::+] $($h)*] $acc $items [shape ($($n)::+)] [$($($args)*)?]
                ($($($rest)*)?)] $f
        }
    };
    // A field as it is.
    (@munch [$k:ident $p:ident [$($m:ident)::+] $($h:tt)*] $acc:tt $items:tt
        $f:ident $(($($args:tt)*))? $(, $($rest:tt)*)?) => {
        $($m)::+::__fields! {
            [[$k $p [$($m)::+] $($h)*] $acc $items [] [$($($args)*)?] ($($($rest)*)?)] $f
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
    // A relation to count.
    (got [count [$($m:ident)::+] $vis:tt $name:ident [$($acc:tt)*] $args:tt ($($rest:tt)*)]
        [$f:ident $key:tt many $serde:tt]) => {
        $crate::__shape!(@count [$($m)::+] $vis $name
            [$($acc)* [$f $key ($crate::__shape!(@count_arg [$($m)::+] $f $args))]]
            $($rest)*);
    };
    (got [count $($s:tt)*] [$f:ident $key:tt $class:ident $serde:tt]) => {
        ::core::compile_error!(::core::concat!(
            "`", ::core::stringify!($f),
            "` is not a to-many relation: `_count` counts the rows of to-many relations"
        ));
    };
    // A stored value.
    (got [[$k:ident rels $($h:tt)*] $($s:tt)*] [$f:ident $key:tt value $serde:tt]) => {
        ::core::compile_error!(::core::concat!(
            "`", ::core::stringify!($f),
            "` is not a relation: `include!` lists relations (the model's own fields come anyway)"
        ));
    };
    (got [$h:tt $acc:tt $items:tt [$($n:tt)+] $args:tt $rest:tt]
        [$f:ident $key:tt value $serde:tt]) => {
        ::core::compile_error!(::core::concat!(
            "`", ::core::stringify!($f), "` is not a relation: it has no fields to select"
        ));
    };
    (got [$h:tt $acc:tt $items:tt [] [$($args:tt)+] $rest:tt]
        [$f:ident $key:tt value $serde:tt]) => {
        ::core::compile_error!(::core::concat!(
            "`", ::core::stringify!($f), "` is not a relation: it takes no arguments"
        ));
    };
    (got [[$k:ident $p:ident [$($m:ident)::+] $($h:tt)*] [$($acc:tt)*] $items:tt [] []
            ($($rest:tt)*)]
        [$f:ident $key:tt value $serde:tt]) => {
        $crate::__shape!(@munch [$k $p [$($m)::+] $($h)*]
            [$($acc)* [$f $key $serde ($($m)::+::__ty::$f)
                [$crate::serde_json::Value::Bool(true)]]]
            $items $($rest)*);
    };
    (got [$h:tt $acc:tt $items:tt $n:tt [$($args:tt)+] $rest:tt]
        [$f:ident $key:tt one $serde:tt]) => {
        ::core::compile_error!(::core::concat!(
            "`", ::core::stringify!($f), "` is a to-one relation: ",
            "only a to-many relation takes `where`, `order_by`, `skip` and `take`"
        ));
    };
    // A relation as the related model's struct.
    (got [[$k:ident $p:ident [$($m:ident)::+] $a:tt [$vis:vis] $name:ident] [$($acc:tt)*]
            [$($items:tt)*] [] $args:tt ($($rest:tt)*)]
        [$f:ident $key:tt $many:ident $serde:tt]) => {
        $crate::__shape!(@munch [$k $p [$($m)::+] $a [$vis] $name]
            [$($acc)* [$f $key $serde
                ($crate::__shape!(@wrap $many $($m)::+::__ty::$f::__ty::__Model))
                [$crate::__shape!(@relation [$($m)::+] $f $args
                    $crate::serde_json::Value::Bool(true))]]]
            [$($items)* [$crate::__shape! { @with $many [$vis] $name [$($m)::+] $f $key }]]
            $($rest)*);
    };
    // A relation as a nested shape, declared next to this one.
    (got [[$k:ident $p:ident [$($m:ident)::+] [$($a:tt)*] [$vis:vis] $name:ident]
            [$($acc:tt)*] [$($items:tt)*] [$n:ident { $($inner:tt)* }] $args:tt ($($rest:tt)*)]
        [$f:ident $key:tt $many:ident $serde:tt]) => {
        $crate::__shape!(@munch [$k $p [$($m)::+] [$($a)*] [$vis] $name]
            [$($acc)* [$f $key $serde ($crate::__shape!(@wrap $many $n))
                [$crate::__shape!(@relation [$($m)::+] $f $args $crate::shape::nested::<$n>())]]]
            [$($items)* [$crate::select! { $($m)::+::__ty::$f => $vis struct $n { $($inner)* } }]
                [$crate::__shape! { @with $many [$vis] $name [$($m)::+] $f $key }]]
            $($rest)*);
    };
    // A relation as a shape declared elsewhere, of the related model.
    (got [[$k:ident $p:ident [$($m:ident)::+] $a:tt [$vis:vis] $name:ident] [$($acc:tt)*]
            [$($items:tt)*] [shape ($($n:ident)::+)] $args:tt ($($rest:tt)*)]
        [$f:ident $key:tt $many:ident $serde:tt]) => {
        $crate::__shape!(@munch [$k $p [$($m)::+] $a [$vis] $name] [$($acc)* [$f $key $serde
                ($crate::__shape!(@wrap $many $($n)::+))
                [$crate::__shape!(@relation [$($m)::+] $f $args $crate::shape::nested_of::<
                    $($n)::+, $($m)::+::__ty::$f::__ty::__Model>())]]]
            [$($items)* [$crate::__shape! { @with $many [$vis] $name [$($m)::+] $f $key }]]
            $($rest)*);
    };

    // `Shape::relation(Nested::new()…)`: a to-many relation's arguments
    // known at run time.
    (@with one $($x:tt)*) => {};
    (@with many [$vis:vis] $name:ident [$($m:ident)::+] $f:ident $key:literal) => {
        impl $name {
            #[doc = ::core::concat!(
                "Arguments of `", $key, "` known at run time, for `Query::with`."
            )]
            #[allow(dead_code)]
            #[must_use]
            $vis fn $f(
                args: $crate::Nested<$($m)::+::__ty::$f::__ty::__Model>,
            ) -> $crate::shape::RelationArgs<Self> {
                $crate::shape::RelationArgs::new($key, args)
            }
        }
    };

    (@wrap one $t:ty) => { ::core::option::Option<$t> };
    (@wrap many $t:ty) => { ::std::vec::Vec<$t> };

    // A relation's value: `$base` alone, or with its reading arguments.
    (@relation $m:tt $f:ident [] $base:expr) => { $base };
    (@relation $m:tt $f:ident [$($args:tt)+] $base:expr) => {
        $crate::shape::relation($base, $crate::__shape!(@args $m $f $($args)+))
    };
    // `where: …, order_by: …, skip: …, take: …`, typed by the related model.
    (@args [$($m:ident)::+] $f:ident $($key:ident : $e:expr),+ $(,)?) => {{
        let args = $crate::Nested::<$($m)::+::__ty::$f::__ty::__Model>::new();
        $(let args = $crate::__shape!(@set args $key $e);)+
        args
    }};
    (@args $m:tt $f:ident $($bad:tt)*) => {
        ::core::compile_error!(::core::concat!(
            "the arguments of `", ::core::stringify!($f),
            "` are `name: value` pairs: `where`, `order_by`, `skip`, `take`"
        ))
    };
    (@set $args:ident where $e:expr) => { $crate::shape::filter($args, $e) };
    (@set $args:ident order_by $e:expr) => { $args.order_by($e) };
    (@set $args:ident skip $e:expr) => { $args.skip($e) };
    (@set $args:ident take $e:expr) => { $args.take($e) };
    (@set $args:ident $key:ident $e:expr) => {
        ::core::compile_error!(::core::concat!(
            "unknown argument `", ::core::stringify!($key),
            "`: a relation takes `where`, `order_by`, `skip` and `take`"
        ))
    };

    // The entries of a `_count` list, then its struct.
    (@count [$($m:ident)::+] [$vis:vis] $name:ident [$($acc:tt)*]
        $f:ident $(($($args:tt)*))? $(, $($rest:tt)*)?) => {
        $($m)::+::__fields! {
            [count [$($m)::+] [$vis] $name [$($acc)*] [$($($args)*)?] ($($($rest)*)?)] $f
        }
    };
    (@count [$($m:ident)::+] [$vis:vis] $name:ident [$([$f:ident $key:tt ($($arg:tt)*)])*]) => {
        #[derive(::core::fmt::Debug, ::core::clone::Clone, ::core::marker::Copy)]
        #[derive(::core::cmp::PartialEq, ::core::cmp::Eq, $crate::serde::Deserialize)]
        #[serde(crate = "::zgen_client::serde")]
        $vis struct $name {
            $(
                #[serde(rename = $key)]
                pub $f: i64,
            )*
        }
        impl $crate::shape::Counts for $name {
            fn select() -> $crate::Map {
                #[allow(unused_mut)]
                let mut map = $crate::Map::new();
                $(map.insert(::std::string::ToString::to_string($key), $($arg)*);)*
                map
            }
        }
    };
    (@count_arg $m:tt $f:ident []) => { $crate::serde_json::Value::Bool(true) };
    (@count_arg [$($m:ident)::+] $f:ident [where : $e:expr $(,)?]) => {
        $crate::shape::filter($crate::Nested::<$($m)::+::__ty::$f::__ty::__Model>::new(), $e)
            .into_json()
    };
    (@count_arg $m:tt $f:ident $args:tt) => {
        ::core::compile_error!(::core::concat!(
            "a `_count` entry takes only `where`: `", ::core::stringify!($f), "(where: …)`"
        ))
    };

    (@emit [$k:ident $p:ident [$($m:ident)::+] [$($a:tt)*] [$vis:vis] $name:ident]
        [$([$f:ident $key:tt [$($serde:tt)*] ($($ty:tt)*) [$($arg:tt)*]])*]
        [$([$($item:tt)*])*]) => {
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
        $($($item)*)*
    };
    (@arg $map:ident $key:tt) => {};
    (@arg $map:ident $key:tt $($arg:tt)+) => {
        $map.insert(::std::string::ToString::to_string($key), $($arg)+);
    };
}
