//! The page's components, one per file. Each renders what it is given and
//! reports user actions through callbacks; none talks to the worker.

pub mod banner;
pub mod landing;
pub mod legend;
pub mod progress;
pub mod sample_menu;
pub mod top_table;
