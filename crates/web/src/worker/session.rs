//! The worker's profiles: every file the page loaded, by load id, and the
//! profile the reports show (one of them, or a source with a base
//! subtracted, as `go tool pprof -diff_base` / `-base` make it). Pure Rust,
//! so it is tested natively.

use std::rc::Rc;

use proflens_core::compare::{combine, BaseMode as CoreMode, Combine};

use super::engine::Engine;
use crate::protocol::{BaseMode, Setup, Summary, ViewData, ViewRequest};
use crate::query::ReportQuery;

/// The loaded profiles and what is shown.
#[derive(Default)]
pub struct Session {
    loaded: Vec<Engine>,
    shown: Option<Engine>,
}

impl Session {
    /// Adds a decoded profile; the first one is shown until a
    /// [`Session::compare`] says otherwise. Returns its summary.
    pub fn add(&mut self, engine: Engine) -> Summary {
        let summary = engine.summary();
        if self.shown.is_none() {
            self.shown = Some(Engine::new(engine.id(), engine.file_name(), engine.profile().clone()));
        }
        self.loaded.retain(|e| e.id() != engine.id());
        self.loaded.push(engine);
        summary
    }

    /// The loaded profiles, in load order.
    pub fn loaded(&self) -> &[Engine] {
        &self.loaded
    }

    fn get(&self, id: u32) -> Result<&Engine, String> {
        self.loaded.iter().find(|e| e.id() == id).ok_or_else(|| format!("no profile has load id {id}"))
    }

    /// Shows `setup` from now on and returns the shown profile's summary.
    /// When the profiles cannot be combined (different kinds, say), the
    /// error is core's message and what was shown stays.
    pub fn compare(&mut self, setup: &Setup) -> Result<Summary, String> {
        let source = self.get(setup.source)?;
        let shown = match setup.base {
            None => Engine::new(source.id(), source.file_name(), source.profile().clone()),
            Some(base_id) => {
                let base = self.get(base_id)?;
                let mode = match setup.mode {
                    BaseMode::Diff => CoreMode::Diff,
                    BaseMode::Subtract => CoreMode::Subtract,
                };
                let combined = combine(&Combine {
                    sources: std::slice::from_ref(source.profile().as_ref()),
                    bases: std::slice::from_ref(base.profile().as_ref()),
                    mode,
                    normalize: setup.normalize,
                })
                .map_err(|e| {
                    format!("cannot compare {} with base {}: {e}", source.file_name(), base.file_name())
                })?;
                Engine::new(source.id(), source.file_name(), Rc::new(combined))
            }
        };
        let summary = shown.summary();
        self.shown = Some(shown);
        Ok(summary)
    }

    /// A view's data for the shown profile (Leaks: for every loaded heap
    /// profile).
    pub fn report(
        &self,
        query: &ReportQuery,
        view: &ViewRequest,
        tz_offset_seconds: i32,
    ) -> Result<ViewData, String> {
        if *view == ViewRequest::Leaks {
            return super::leaks::report(&self.loaded).map(ViewData::Leaks);
        }
        match &self.shown {
            Some(engine) => engine.report(query, view, tz_offset_seconds),
            None => Err("no profile is loaded".to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::TopTable;

    fn load(id: u32, name: &str) -> Engine {
        let path = format!("{}/../../tests/fixtures/go/{name}", env!("CARGO_MANIFEST_DIR"));
        Engine::load(id, name, &std::fs::read(path).unwrap(), 1 << 30, &mut |_| {}).unwrap()
    }

    fn top(session: &Session) -> TopTable {
        match session.report(&ReportQuery::default(), &ViewRequest::Top, 0).unwrap() {
            ViewData::Top(t) => t,
            _ => unreachable!("a Top request answers Top"),
        }
    }

    #[test]
    fn diff_base_shows_the_change_and_refusals_keep_the_view() {
        let mut session = Session::default();
        session.add(load(1, "heap1.pb.gz"));
        session.add(load(2, "heap2.pb.gz"));
        let diff = Setup { source: 2, base: Some(1), ..Setup::default() };
        let summary = session.compare(&diff).unwrap();
        assert_eq!(summary.file_name, "heap2.pb.gz");
        let rows = top(&session).rows;
        assert_eq!((rows[0].name.as_str(), rows[0].flat_text.as_str()), ("context.WithValue", "17MB"));
        assert!(rows.iter().any(|r| r.flat < 0), "a diff has decreases");

        session.add(load(3, "cpu.pb.gz"));
        let err = session.compare(&Setup { source: 2, base: Some(3), ..Setup::default() }).unwrap_err();
        assert!(err.contains("cannot compare heap2.pb.gz with base cpu.pb.gz"), "{err}");
        assert_eq!(top(&session).rows, rows, "the previous comparison stays");
        assert!(session.compare(&Setup { source: 9, ..Setup::default() }).is_err());
    }

    #[test]
    fn a_diff_flame_graph_carries_increases_and_decreases() {
        let mut session = Session::default();
        session.add(load(1, "heap1.pb.gz"));
        session.add(load(2, "heap2.pb.gz"));
        let flame = |s: &Session| match s.report(
            &ReportQuery::default(),
            &ViewRequest::Flame { pivot: String::new(), zoom: None },
            0,
        ) {
            Ok(ViewData::Flame(f)) => f,
            other => panic!("{:?}", other.err()),
        };
        assert!(!flame(&session).tree.is_diff());
        session.compare(&Setup { source: 2, base: Some(1), ..Setup::default() }).unwrap();
        let f = flame(&session);
        assert!(f.tree.is_diff());
        let t = &f.tree;
        for i in 0..t.total.len() {
            assert_eq!(t.positive[i] - t.negative[i], t.total[i], "frame {i}");
        }
        let with_value =
            f.functions.iter().position(|x| x.name.starts_with("context.WithValue ")).unwrap() as u32;
        let i = t.function.iter().position(|&x| x == with_value).unwrap();
        assert!(t.total[i] > 0 && t.width(i) >= t.total[i]);
    }
}
