//! Go's `text/tabwriter` with the settings pprof's tags report uses
//! (minwidth 0, padding 1, padded with spaces, cells aligned right):
//! tab-terminated cells of consecutive lines form a column as wide as its
//! widest cell plus the padding; a line's text after its last tab is not a
//! cell and is written as it is.

/// Aligns `text` (lines ending in '\n', cells ending in '\t') as Go's
/// tabwriter with `AlignRight` and the given padding does.
pub(crate) fn align_right(text: &str, padding: usize) -> String {
    let lines: Vec<Vec<&str>> = text.split('\n').map(|l| l.split('\t').collect()).collect();
    let mut out = String::with_capacity(text.len() * 2);
    let mut widths = Vec::new();
    format(&lines, &mut widths, 0, lines.len(), padding, &mut out);
    out
}

/// Width of a cell in runes, as tabwriter counts it.
fn width(cell: &str) -> usize {
    cell.chars().count()
}

/// Go's `Writer.format`: finds the column blocks of `lines[line0..line1]`
/// for the next column and writes the lines once every column is known.
fn format(
    lines: &[Vec<&str>],
    widths: &mut Vec<usize>,
    line0: usize,
    line1: usize,
    padding: usize,
    out: &mut String,
) {
    let column = widths.len();
    let mut start = line0;
    let mut this = line0;
    while this < line1 {
        if column + 1 >= lines[this].len() {
            this += 1;
            continue;
        }
        write_lines(lines, widths, start, this, out);
        start = this;
        let mut w = 0;
        while this < line1 && column + 1 < lines[this].len() {
            w = w.max(width(lines[this][column]) + padding);
            this += 1;
        }
        widths.push(w);
        format(lines, widths, start, this, padding, out);
        widths.pop();
        start = this;
    }
    write_lines(lines, widths, start, line1, out);
}

fn write_lines(lines: &[Vec<&str>], widths: &[usize], line0: usize, line1: usize, out: &mut String) {
    for (i, line) in lines.iter().enumerate().take(line1).skip(line0) {
        for (j, cell) in line.iter().enumerate() {
            if let Some(&w) = widths.get(j) {
                out.extend(std::iter::repeat_n(' ', w.saturating_sub(width(cell))));
            }
            out.push_str(cell);
        }
        if i + 1 < lines.len() {
            out.push('\n');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::align_right;

    #[test]
    fn columns_of_consecutive_lines_align_right() {
        let text = "worker:\t Total 1s\n \t1s (50%):\t sort\n \t10ms (5%):\t hash\n\nid:\t Total 2\n";
        let want = " worker: Total 1s\n          1s (50%): sort\n         10ms (5%): hash\n\n id: Total 2\n";
        assert_eq!(align_right(text, 1), want);
    }
}
