//! What std's prelude gives and the npm build (`no_std`) must import: every module of the
//! crate starts with `use crate::prelude::*`.

#[allow(unused_imports)]
pub(crate) use alloc::{
    borrow::ToOwned,
    boxed::Box,
    string::{String, ToString},
    vec,
    vec::Vec,
};
