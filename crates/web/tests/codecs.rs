//! Property tests of the page's URL codecs (natively): the fragment codec
//! and the share-link decoder take any text without panicking, and a typed
//! query survives the trip through its fragment unchanged.

#![cfg(not(target_arch = "wasm32"))]

use proflens_core::graph::Granularity;
use proflens_web::fragment;
use proflens_web::query::{BaseMode, Comparison, Filters, Pruning, Query, ReportQuery, SortKey, View};
use proflens_web::share_link::{
    base64url_decode, base64url_encode, carried_params, carried_profile, params_for, LINK_LIMIT,
};
use proptest::prelude::*;

/// Any text, weighted towards what fragments are made of.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), "[a-z%=&?#+.\\\\()|^$*0-9A-F_-]{0,40}", "(%[0-9A-Fa-f]{0,2}|[&=?+])*",]
}

fn regexp() -> impl Strategy<Value = String> {
    prop_oneof![Just(String::new()), any::<String>(), "[a-z.\\\\()|^$*&=+%# ]{1,20}"]
}

fn finite() -> impl Strategy<Value = Option<f64>> {
    prop_oneof![Just(None), any::<f64>().prop_filter("finite", |v| v.is_finite()).prop_map(Some)]
}

fn query() -> impl Strategy<Value = Query> {
    let view = prop::sample::select(View::ALL.to_vec());
    let sort = prop::sample::select(SortKey::ALL.to_vec());
    let granularity = prop::option::of(prop::sample::select(vec![
        Granularity::Functions,
        Granularity::FileFunctions,
        Granularity::Files,
        Granularity::Lines,
        Granularity::Addresses,
    ]));
    let names = (regexp(), regexp(), regexp(), regexp(), regexp());
    let tags = (regexp(), regexp(), regexp(), regexp(), regexp(), regexp(), regexp());
    let filters = (names, tags).prop_map(
        |(
            (focus, ignore, hide, show, show_from),
            (tag_focus, tag_ignore, tag_show, tag_hide, tag_root, tag_leaf, tag_base),
        )| {
            Filters {
                focus,
                ignore,
                hide,
                show,
                show_from,
                tag_focus,
                tag_ignore,
                tag_show,
                tag_hide,
                tag_root,
                tag_leaf,
                tag_base,
            }
        },
    );
    let pruning = (prop::option::of(any::<usize>()), finite(), finite()).prop_map(
        |(node_count, node_fraction, edge_fraction)| Pruning { node_count, node_fraction, edge_fraction },
    );
    let report = (regexp(), sort, granularity, filters, pruning).prop_map(
        |(sample, sort, granularity, filters, pruning)| ReportQuery {
            sample,
            sort,
            granularity,
            filters,
            pruning,
        },
    );
    let compare =
        (regexp(), regexp(), any::<bool>(), any::<bool>()).prop_map(|(source, base, subtract, normalize)| {
            Comparison {
                source,
                base,
                mode: if subtract { BaseMode::Subtract } else { BaseMode::Diff },
                normalize,
            }
        });
    (view, report, regexp(), regexp(), compare, any::<bool>()).prop_map(
        |(view, report, pivot, selection, compare, colorblind)| Query {
            view,
            report,
            pivot,
            selection,
            compare,
            colorblind,
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn queries_survive_their_fragment(q in query()) {
        let written = fragment::write(&q);
        prop_assert_eq!(fragment::parse(&written), q.clone());
        prop_assert_eq!(fragment::parse(&format!("#{written}")), q);
        // A fragment is one URL component: nothing in it ends it early.
        prop_assert!(!written.contains('#') && !written.contains(' '), "{}", written);
    }

    #[test]
    fn any_fragment_parses_and_settles(text in text()) {
        let q = fragment::parse(&text);
        // What it means, written and read again, means the same.
        prop_assert_eq!(fragment::parse(&fragment::write(&q)), q);
    }

    #[test]
    fn any_link_decodes_or_says_why(text in text(), profile in text()) {
        for fragment in [text.clone(), format!("top?profile={profile}&name={text}"), format!("{text}?profile={profile}")] {
            if let Some(Ok(p)) = carried_profile(&fragment) {
                prop_assert!(p.bytes.len() <= LINK_LIMIT);
                prop_assert!(!p.name.is_empty());
            }
            let _ = carried_params(&fragment);
        }
        let _ = base64url_decode(&profile);
    }

    #[test]
    fn carried_profiles_come_back(name in any::<String>(), bytes in prop::collection::vec(any::<u8>(), 0..2048), q in query()) {
        prop_assert_eq!(base64url_decode(&base64url_encode(&bytes)).unwrap(), bytes.clone());
        let link = format!("{}&{}", fragment::write(&q), params_for(&name, &bytes).unwrap());
        let link = if link.contains('?') { link } else { link.replacen('&', "?", 1) };
        let carried = carried_profile(&link).unwrap().unwrap();
        prop_assert_eq!(carried.bytes, bytes);
        let expected_name = if name.is_empty() { "shared.pb.gz".to_string() } else { name };
        prop_assert_eq!(carried.name, expected_name);
        // The view state is still the query's (the carried parameters are
        // not fragment parameters).
        prop_assert_eq!(fragment::parse(&link), q);
    }
}

#[test]
fn links_over_the_limit_are_refused_before_decoding() {
    let huge = "A".repeat(10 * LINK_LIMIT);
    let refused = carried_profile(&format!("top?profile={huge}")).unwrap().unwrap_err();
    assert!(refused.contains("a link carries at most 64 KB"), "{refused}");
}
