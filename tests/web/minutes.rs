//! Page tests of src/web/minutes/ through the real app (see pages.rs, browse.rs).
