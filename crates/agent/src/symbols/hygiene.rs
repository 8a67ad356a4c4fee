//! Frame hygiene: which frames a profile asks viewers to leave out, and
//! which machinery frames are never written at all.
//!
//! - The sampler's and the profilers' own frames (the unwinder, the
//!   sampling code, a signal handler and its trampoline) are cut from the
//!   stacks when they are captured or converted: they describe the agent,
//!   not the program.
//! - The allocator's frames stay in heap stacks and are named in the
//!   profile's `drop_frames`, as Go's runtime leaves malloc out: viewers
//!   (`go tool pprof`, proflens) attribute an allocation to the first frame
//!   above them, the code that asked for memory, and `--all-frames` still
//!   shows them.

/// The allocator-internal functions of heap profiles, one regexp each,
/// written for the displayed names ([`super::names`]) and also accepting
/// the full demangled forms (generic arguments, v0's `<Type>::` paths).
///
/// pprof's rule ([`Prune`]): the regexps are joined with `|` and must match
/// a whole function name (cut at its first `(`); in each stack, everything
/// from the first matching frame below the program's own frames to the leaf
/// is removed. So only functions that never call back into the program are
/// listed: `Vec::push` is, `Vec::from_iter` (which runs the iterator's
/// closures) and `Arc::new_cyclic` are not.
///
/// [`Prune`]: https://github.com/google/pprof/blob/main/profile/prune.go
const ALLOCATOR_FRAMES: &[&str] = &[
    // The global allocator's entry points and std's default allocator.
    r"(__rustc::)?__rust_(alloc|alloc_zeroed|realloc)",
    r"(std::alloc::__default_lib_allocator::)?__r[dg]l_(alloc|alloc_zeroed|realloc)",
    r"std::(sys::)?alloc::.*",
    r"<std::alloc::System as .*",
    // This sampler, which wraps the real allocator.
    r"<?proflens_agent::heap::.*",
    // alloc::alloc: alloc, realloc, exchange_malloc, Global's Allocator impl.
    r"<?alloc::alloc::.*",
    // Box, Arc and Rc constructors and conversions.
    r"alloc::boxed::box_new.*",
    r"<?alloc::boxed::Box(<.*>)?>?::(new|new_in|new_uninit|new_uninit_in|new_zeroed|new_zeroed_in|try_new|try_new_in|try_new_uninit|try_new_uninit_in|try_new_zeroed|try_new_zeroed_in|pin|pin_in|new_uninit_slice|new_zeroed_slice|try_new_uninit_slice|try_new_zeroed_slice)",
    r"<?alloc::(sync|rc)::(Arc|Rc|UniqueArc|UniqueRc)(<.*>)?>?::(new|new_in|new_uninit|new_uninit_in|new_zeroed|new_zeroed_in|try_new|try_new_in|try_new_uninit|try_new_uninit_in|try_new_zeroed|try_new_zeroed_in|pin|pin_in|new_uninit_slice|new_zeroed_slice|allocate_for_[a-z_]+|try_allocate_for_[a-z_]+|from_box_in|copy_from_slice)(::.*)?",
    r"<alloc::(boxed::Box|sync::Arc|rc::Rc)(<.*>)? as (.*::)?From(<.*>)?>::from(::.*)?",
    // RawVec, and the growth of Vec and String.
    r"<?alloc::raw_vec::.*",
    r"<?alloc::vec::Vec(<.*>)?>?::(push|push_mut|push_within_capacity|insert|insert_mut|reserve|reserve_exact|try_reserve|try_reserve_exact|with_capacity|with_capacity_in|try_with_capacity|try_with_capacity_in|extend_from_slice|extend_from_within|append|append_elements|resize|split_off|shrink_to|shrink_to_fit|into_boxed_slice)",
    r"alloc::vec::from_elem",
    r"<.* as (.*::)?SpecFromElem>::from_elem",
    r"<?alloc::string::String>?::(push|push_str|insert|insert_str|reserve|reserve_exact|try_reserve|try_reserve_exact|with_capacity|try_with_capacity|extend_from_within|shrink_to|shrink_to_fit|into_boxed_str)",
    r"<alloc::string::String as (.*::)?(Write>::write_(str|char)|Clone>::clone|From(<.*>)?>::from)",
    r"<&?str as (.*::)?(ToOwned>::to_owned|SpecToString>::spec_to_string)",
    r"<?\[.*\]>?::to_vec(_in)?",
    r"<.* as (.*::)?ConvertVec>::to_vec",
    r"<\[.*\] as (.*::)?ToOwned>::to_owned",
];

/// The `drop_frames` of heap and allocs profiles.
pub(crate) fn heap_drop_frames() -> String {
    ALLOCATOR_FRAMES.join("|")
}

/// Whether `name` (displayed form) is the sampler's entry, the
/// `GlobalAlloc` method of [`crate::SamplingAllocator`]: heap stacks start
/// there, its callees are the sampler itself.
pub(crate) fn is_sampler_entry(name: &str) -> bool {
    name.strip_prefix("<proflens_agent::heap::SamplingAllocator as GlobalAlloc>::")
        .is_some_and(|m| matches!(m, "alloc" | "alloc_zeroed" | "realloc"))
}

/// Whether `name` is allocator plumbing the heap text form (`debug=1`)
/// leaves out at the leaf end of its stacks, as the proto form's
/// `drop_frames` do for viewers.
pub(crate) fn is_allocator_plumbing(name: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "<proflens_agent::heap::",
        "proflens_agent::heap::",
        "__rustc::",
        "__rust_",
        "__rg_",
        "__rdl_",
        "alloc::alloc::",
        "<alloc::alloc::Global",
        "std::alloc::",
        "<std::alloc::System",
        "std::sys::alloc::",
        "alloc::raw_vec::",
        "alloc::boxed::box_new",
    ];
    PREFIXES.iter().any(|p| name.starts_with(p))
}

/// Frames of a signal handler's unwinder that thread stacks may start
/// with when the interrupted frame was not found by its address.
pub(crate) fn is_signal_plumbing(name: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "backtrace::",
        "proflens_agent::threads::",
        "<proflens_agent::threads::",
        "__restore_rt",
        "_Unwind_",
    ];
    PREFIXES.iter().any(|p| name.starts_with(p))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proflens_core::pattern::Pattern;

    fn drops(name: &str) -> bool {
        // As pprof and proflens compile it: a whole-name match.
        let re = Pattern::new(&format!("^({})$", heap_drop_frames())).expect("drop_frames compiles");
        re.is_match(name)
    }

    #[test]
    fn allocator_frames_are_dropped_in_both_name_forms() {
        for name in [
            "__rustc::__rust_alloc",
            "__rust_realloc",
            "<proflens_agent::heap::SamplingAllocator as GlobalAlloc>::alloc",
            "<proflens_agent::heap::SamplingAllocator<A> as core::alloc::global::GlobalAlloc>::realloc",
            "alloc::alloc::Global::alloc_impl",
            "alloc::alloc::exchange_malloc",
            "<alloc::alloc::Global as Allocator>::allocate",
            "<alloc::alloc::Global as core::alloc::Allocator>::allocate",
            "<std::alloc::System as GlobalAlloc>::alloc",
            "std::sys::alloc::unix::<impl core::alloc::global::GlobalAlloc for std::alloc::System>::alloc",
            "alloc::boxed::box_new_uninit",
            "alloc::boxed::Box::new",
            "alloc::boxed::Box<T>::new",
            "<alloc::boxed::Box<u8>>::new",
            "alloc::sync::Arc::new",
            "alloc::sync::Arc::allocate_for_slice_in::{{closure}}",
            "alloc::rc::Rc<T>::new",
            "<alloc::sync::Arc as From>::from",
            "<alloc::sync::Arc<[T],A> as core::convert::From<alloc::vec::Vec<T,A>>>::from",
            "alloc::raw_vec::RawVecInner::finish_grow",
            "<alloc::raw_vec::RawVecInner>::finish_grow",
            "alloc::raw_vec::RawVecInner::reserve::do_reserve_and_handle",
            "alloc::vec::Vec::push",
            "alloc::vec::Vec<T,A>::extend_from_slice",
            "<alloc::vec::Vec<u8>>::reserve",
            "alloc::vec::from_elem",
            "<u8 as SpecFromElem>::from_elem",
            "alloc::string::String::push_str",
            "<alloc::string::String as Write>::write_str",
            "<alloc::string::String as Clone>::clone",
            "<str as ToOwned>::to_owned",
            "[T]::to_vec",
        ] {
            assert!(drops(name), "{name} is not dropped");
        }
    }

    #[test]
    fn the_programs_frames_and_callers_of_its_code_stay() {
        for name in [
            "leaky_service::with_value",
            "<alloc::boxed::Box as FnOnce>::call_once",
            "<alloc::boxed::Box<dyn core::ops::function::FnOnce<()>> as core::ops::function::FnOnce<()>>::call_once",
            "alloc::sync::Arc::new_cyclic",
            "<alloc::vec::Vec as SpecFromIterNested>::from_iter",
            "<alloc::vec::Vec as Extend>::extend",
            "alloc::vec::Vec::extend_trusted",
            "alloc::fmt::format::format_inner",
            "<T as Into>::into",
            "<T as ToString>::to_string",
            "std::thread::lifecycle::spawn_unchecked::{{closure}}",
            "<alloc::sync::Arc as Drop>::drop",
            "core::iter::traits::iterator::Iterator::collect",
            "hashbrown::map::HashMap::insert",
            "start_thread",
            "",
        ] {
            assert!(!drops(name), "{name} is dropped");
        }
    }

    #[test]
    fn the_sampler_entry_is_recognized() {
        assert!(is_sampler_entry("<proflens_agent::heap::SamplingAllocator as GlobalAlloc>::alloc"));
        assert!(is_sampler_entry("<proflens_agent::heap::SamplingAllocator as GlobalAlloc>::realloc"));
        assert!(!is_sampler_entry("<proflens_agent::heap::SamplingAllocator as GlobalAlloc>::dealloc"));
        assert!(!is_sampler_entry("proflens_agent::heap::SamplingAllocator::slow_alloc"));
    }
}
