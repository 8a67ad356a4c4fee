//! Two values of one profile's labels against each other, through the
//! diff views: the samples tagfocus selects become the source, the samples
//! a second tag filter selects the base, combined as pprof's `-diff_base`
//! combines two files (`worker=sort` against `worker=hash`).

use crate::compare::{combine, BaseMode, Combine};
use crate::decode::{decode, DecodeOptions};
use crate::encode::{dense_ids, encode_profile};
use crate::error::Error;
use crate::model::Profile;
use crate::report::ReportOptions;

use prost::Message as _;

use super::TagFilters;

/// `profile` with only the samples `filters` keep.
pub fn restrict(profile: &Profile, filters: &TagFilters) -> Result<Profile, Error> {
    let kept = filters.kept_sets(profile);
    let mut msg = encode_profile(profile, &dense_ids);
    if !kept.is_empty() {
        let mut s = 0;
        msg.sample.retain(|_| {
            s += 1;
            kept[profile.samples.labels[s - 1].index()]
        });
    }
    decode(&msg.encode_to_vec(), &DecodeOptions { all_frames: true, ..DecodeOptions::default() })
}

/// The samples of `options.tag_focus` with those of `base` (a tag filter
/// in tagfocus syntax) subtracted as a diff base, both after
/// `options.tag_ignore`. Report on the result without tagfocus/tagignore:
/// they are applied.
pub fn compare_tag_values(profile: &Profile, options: &ReportOptions, base: &str) -> Result<Profile, Error> {
    let source = restrict(profile, &TagFilters::compile(&options.tag_focus, &options.tag_ignore)?)?;
    let base = restrict(profile, &TagFilters::compile(base, &options.tag_ignore)?)?;
    combine(&Combine {
        sources: std::slice::from_ref(&source),
        bases: std::slice::from_ref(&base),
        mode: BaseMode::Diff,
        normalize: false,
    })
}
