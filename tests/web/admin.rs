//! Page tests of src/web/admin/ through the real app (see pages.rs, browse.rs).
