//! Page tests of src/web/reports/ through the real app (see pages.rs, browse.rs).
