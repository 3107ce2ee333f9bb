//! The demo ministry (issue 5): a realistic ministry generated through the same domain rules as real data.
