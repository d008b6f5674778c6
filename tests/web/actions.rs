//! Page tests of src/web/actions/ through the real app (see pages.rs, browse.rs).
