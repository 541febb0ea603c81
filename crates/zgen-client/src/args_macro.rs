//! The part of every generated model file that does not depend on its
//! fields: the eight argument builders and the `Model` implementation.
//! Generated files invoke [`model!`](crate::model) once per model instead
//! of spelling out some ninety lines each.

/// Declares the argument builders of one model and implements
/// [`Model`](crate::Model) for it:
///
/// ```ignore
/// zc::model! {
///     Post, "Post", PostWhere, PostWhereUnique, PostOrderBy, PostSelect, PostInclude,
///     PostOmit, PostCreate, PostUpdate
/// }
/// ```
///
/// Each builder is a newtype over a JSON object with
/// [`Args`](crate::Args); all but the unique key get `new()`, and the
/// filter gets `and`, `or` and `not`. The field setters stay in the
/// generated file.
#[macro_export]
macro_rules! model {
    (
        $model:ident, $name:literal, $where_:ident, $unique:ident, $order:ident,
        $select:ident, $include:ident, $omit:ident, $create:ident, $update:ident
    ) => {
        impl $crate::Model for $model {
            const NAME: &'static str = $name;
            type Where = $where_;
            type WhereUnique = $unique;
            type OrderBy = $order;
            type Select = $select;
            type Include = $include;
            type Omit = $omit;
            type Create = $create;
            type Update = $update;
        }
        $crate::__args!($where_, "`where`: which rows.");
        $crate::__args!($unique, "A unique key: one row.");
        $crate::__args!($order, "One `orderBy` key.");
        $crate::__args!($select, "`select`: the fields to return.");
        $crate::__args!($include, "`include`: the relations to load.");
        $crate::__args!($omit, "`omit`: fields to leave out (or, with `false`, to add back).");
        $crate::__args!($create, "The `data` of a create.");
        $crate::__args!($update, "The `data` of an update.");
        $crate::__args!(new $where_, $order, $select, $include, $omit, $create, $update);
        impl $where_ {
            /// Every one of `filters` holds.
            pub fn and(self, filters: impl IntoIterator<Item = $where_>) -> Self {
                let all = filters.into_iter().map($crate::Args::into_json).collect();
                $crate::Args::set(self, "AND", all)
            }
            /// At least one of `filters` holds.
            pub fn or(self, filters: impl IntoIterator<Item = $where_>) -> Self {
                let any = filters.into_iter().map($crate::Args::into_json).collect();
                $crate::Args::set(self, "OR", any)
            }
            /// `filter` does not hold.
            #[inline]
            pub fn not(self, filter: $where_) -> Self {
                $crate::Args::set(self, "NOT", $crate::Args::into_json(filter))
            }
        }
    };
}

/// One argument builder (for [`model!`](crate::model)).
#[doc(hidden)]
#[macro_export]
macro_rules! __args {
    (new $($ty:ident),*) => {
        $(
            impl $ty {
                #[inline]
                pub fn new() -> Self {
                    Self::default()
                }
            }
        )*
    };
    ($ty:ident, $doc:literal) => {
        #[doc = $doc]
        #[derive(Clone, Default, PartialEq)]
        pub struct $ty($crate::Map);

        // By hand rather than derived, for `#[inline]`: nothing of it is
        // compiled unless a program formats the builder.
        impl ::std::fmt::Debug for $ty {
            #[inline]
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_tuple(stringify!($ty)).field(&self.0).finish()
            }
        }

        impl $crate::Args for $ty {
            #[inline]
            fn into_map(self) -> $crate::Map {
                self.0
            }
            #[inline]
            fn from_map(map: $crate::Map) -> Self {
                Self(map)
            }
        }
    };
}
