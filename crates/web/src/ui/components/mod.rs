//! The page's components, one per file. Each renders what it is given and
//! reports user actions through callbacks; none talks to the worker.

pub mod banner;
pub mod configs;
pub mod flame_view;
pub mod graph_view;
pub mod labels_panel;
pub mod landing;
pub mod leaks_view;
pub mod legend;
pub mod peek_view;
pub mod profiles;
pub mod progress;
pub mod sample_menu;
pub mod shortcuts;
pub mod source_view;
pub mod top_table;
