//! Command-line arguments (clap derive). Doc comments are the help text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use newsclean_ingest::Shard;

/// Turns scraped news pages into clean, structured, deduplicated articles.
#[derive(Debug, Parser)]
#[command(name = "newsclean", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the whole pipeline: ingest → dedupe → segment → export.
    Run(RunArgs),
    /// Read inputs and write a frame stream of documents to stdout.
    Ingest(IngestArgs),
    /// Read documents (from `ingest`) on stdin, write marked documents to stdout.
    Dedupe(DedupeArgs),
    /// Read marked documents (from `dedupe`) on stdin, write articles to stdout.
    Segment(SegmentArgs),
    /// Read articles (from `segment`) on stdin and write them in an output format.
    Export(ExportArgs),
    /// Show every line of one page with the decision `run` makes on it and why.
    Explain(ExplainArgs),
    /// Export the line classifier's features as TSV (for training; see `train/`).
    #[command(hide = true)]
    Features(FeaturesArgs),
    /// Score text outputs against ground truth, with the metrics of the benchmark's score.py.
    Eval(EvalArgs),
    /// Learn each site's template (pass 1 of `run`) and write it as a site model.
    Learn(LearnArgs),
    /// Duplicate detection split over shards: map, reduce, resolve (README and ARCHITECTURE.md,
    /// "Running on a cluster").
    #[command(subcommand)]
    Dups(DupsCommand),
    /// Merge the keyed outputs of `run --shard` into the files one `run` writes.
    Merge(MergeArgs),
}

/// Options shared by every command.
#[derive(Debug, Args)]
pub struct CommonArgs {
    /// A line classifier model file, as the training script writes it, to use instead of the
    /// built-in one of its view: text input is scored by the text model, HTML input by the
    /// HTML model, and a file is for the view whose features it lists. Give it twice to
    /// replace both.
    #[arg(long, value_name = "JSON", global = true)]
    pub line_model: Vec<PathBuf>,
    /// Worker threads, 1 to 1024 [default: the number of CPUs].
    #[arg(long, short = 'j')]
    pub threads: Option<usize>,
    /// No progress bars and no summary.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// Which inputs to read and how.
#[derive(Debug, Args)]
pub struct InputArgs {
    /// Files and directories to read; `-` reads standard input (one document, or JSONL, WARC
    /// and archives recognised by content).
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// Only read files whose path (relative to the input directory) matches this glob.
    #[arg(long, value_name = "GLOB")]
    pub include: Vec<String>,
    /// Skip files whose path matches this glob, e.g. '*.truth.txt'.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Reject documents (files, archive members, JSONL lines, WARC payloads) larger than this
    /// once decompressed: bytes, or with a suffix K, M, G or T (powers of 1024).
    #[arg(long, value_name = "SIZE", default_value = "16M", value_parser = parse_size)]
    pub max_doc_bytes: u64,
    /// Stop reading a compressed file or zip archive once it expands past this size (the
    /// guard against decompression bombs): bytes, or with a suffix K, M, G or T [default: 100
    /// times the file's size, at least 1G]. Zip entries that overlap another's data are never
    /// read.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_archive_bytes: Option<u64>,
    /// Follow symlinks that lead out of an input directory. Without it, such a link is listed
    /// as a reject and not read: the input is what the directory holds.
    #[arg(long)]
    pub follow_symlinks: bool,
    /// The format of every input file; `auto` decides per file by name, then by content.
    /// Compression (gzip, zstd, bzip2, xz) is always recognised by content.
    #[arg(long, value_enum, default_value_t = InputFormatArg::Auto)]
    pub input_format: InputFormatArg,
    /// The JSONL field with a document's text.
    #[arg(long, value_name = "NAME", default_value = "text")]
    pub text_field: String,
    /// The JSONL field with a document's id; a line without it gets the file's id and its
    /// line number (`dump/17`).
    #[arg(long, value_name = "NAME", default_value = "id")]
    pub id_field: String,
    /// The JSONL field with a document's URL.
    #[arg(long, value_name = "NAME", default_value = "url")]
    pub url_field: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InputFormatArg {
    /// By file name (.txt, .html, .jsonl, .warc, .wet, .tar, .tgz, .zip, ...), else by content.
    Auto,
    /// One plain-text document per file.
    Text,
    /// One HTML page per file.
    Html,
    /// One JSON object per line.
    Jsonl,
    /// WARC or WET records.
    Warc,
    /// A tar archive.
    Tar,
    /// A zip archive.
    Zip,
}

/// Where and how to write articles.
#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Output file (jsonl, csv, parquet, bincode; `-` for stdout) or directory (text, markdown).
    /// A `.gz` or `.zst` name compresses jsonl and csv [default: `-` (standard output), for
    /// jsonl]. A directory is built under a temporary name and put in place when complete; a
    /// rerun replaces an earlier tree as a whole and refuses a directory that holds anything
    /// else.
    #[arg(long, short = 'o', value_name = "OUT")]
    pub output: Option<PathBuf>,
    /// Output format [default: from OUT's extension (.jsonl, .json, .ndjson, .parquet, .csv,
    /// .md, .bin; before .gz or .zst), else jsonl]. A format that contradicts the extension
    /// is refused.
    #[arg(long, short = 'f', value_enum)]
    pub format: Option<FormatArg>,
    /// Write rejected documents here as JSON lines [default: OUT's name + .rejects.jsonl; with
    /// `-o -`, newsclean.rejects.jsonl in the current directory].
    #[arg(long, value_name = "PATH")]
    pub rejects: Option<PathBuf>,
    /// Columns of jsonl, csv and parquet, e.g. `id,site,title,text`. Known: `id`, `url`, `site`,
    /// `path`, `member`, `source`, `title`, `byline`, `published` (ISO 8601), `published_text`
    /// (the date line as printed), `summary`, `sections`, `related`, `text`, `n_words`,
    /// `n_lines`, `n_kept`, `n_bytes`, `encoding`, `stats`, `meta`.
    #[arg(long, value_name = "FIELDS", value_delimiter = ',')]
    pub fields: Option<Vec<String>>,
    /// Start a new file every N articles: OUT-00000.EXT, OUT-00001.EXT, … (jsonl, csv, parquet).
    #[arg(long, value_name = "N")]
    pub max_docs_per_file: Option<u64>,
    /// Also split each paragraph into sentences (`sentences` in each section).
    #[arg(long)]
    pub sentences: bool,
    /// The shape of each record (jsonl and parquet): newsclean's columns, or a corpus tool's
    /// with newsclean's fields under `metadata`.
    #[arg(long, value_enum, default_value_t = SchemaArg::Newsclean)]
    pub schema: SchemaArg,
    /// Write dropped duplicates here as JSON lines [default: OUT's name + .duplicates.jsonl;
    /// with `-o -`, newsclean.duplicates.jsonl in the current directory].
    #[arg(long, value_name = "PATH")]
    pub duplicates: Option<PathBuf>,
    /// Write a run report: HTML when PATH ends in .html, else JSON.
    #[arg(long, value_name = "PATH")]
    pub report: Option<PathBuf>,
}

/// How the classifier reads a page (see `newsclean_segment::View`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ViewArg {
    /// The text model's features.
    Text,
    /// The HTML model's features: the text view's, copy ranks and the markup's.
    Html,
}

impl From<ViewArg> for newsclean_segment::View {
    fn from(view: ViewArg) -> newsclean_segment::View {
        match view {
            ViewArg::Text => newsclean_segment::View::Text,
            ViewArg::Html => newsclean_segment::View::Html,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SchemaArg {
    /// `id`, `url`, `source`, `title`, … (see --fields).
    Newsclean,
    /// Dolma: `id`, `text`, `source`, `added`, `created`, `metadata`.
    Dolma,
    /// datatrove: `id`, `text`, `metadata`.
    Datatrove,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// One JSON object per article per line.
    Jsonl,
    /// Apache Parquet, one row per article.
    Parquet,
    /// Comma-separated values with a header row.
    Csv,
    /// A directory with one `<id>.md` per article.
    Markdown,
    /// A directory with one `<id>.txt` per article.
    Text,
    /// A frame stream of articles, as `newsclean segment` writes.
    Bincode,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub site: SiteArgs,
    #[command(flatten)]
    pub dup: DupArgs,
    #[command(flatten)]
    pub article: ArticleArgs,
    #[command(flatten)]
    pub common: CommonArgs,
    /// Continue a run that was stopped (killed, crashed, Ctrl-C) from its last checkpoint;
    /// give the same arguments, over the same inputs (a changed input is refused). Without a
    /// checkpoint the run starts from the beginning.
    /// For uncompressed jsonl and csv in one file, text, markdown and bincode (not parquet,
    /// compressed, sharded or standard output).
    #[arg(long)]
    pub resume: bool,
    /// Testing aid: abort the process (as SIGKILL would) after writing this many documents.
    #[arg(long, hide = true, value_name = "N")]
    pub debug_abort_after: Option<u64>,
    /// Testing aid: after writing this many documents, say so on stderr and wait for Ctrl-C
    /// or SIGTERM, so that tests can interrupt a run at an exact point.
    #[arg(
        long,
        hide = true,
        value_name = "N",
        conflicts_with = "debug_abort_after"
    )]
    pub debug_pause_after: Option<u64>,
    #[command(flatten)]
    pub shard: ShardRunArgs,
}

/// The site template model: which lines are a site's template.
#[derive(Debug, Args)]
pub struct SiteArgs {
    /// A site model from `newsclean learn`. Without one, `run` learns it from its inputs first
    /// (pass 1: one read of every input, hashing only).
    #[arg(long, value_name = "MODEL")]
    pub model: Option<PathBuf>,
    /// Use no site model: per-document rules only.
    #[arg(long, conflicts_with = "model")]
    pub no_site_model: bool,
    #[command(flatten)]
    pub group: GroupArgs,
    #[command(flatten)]
    pub rules: RuleArgs,
}

/// When a frequent line is a site's template.
#[derive(Debug, Args)]
pub struct RuleArgs {
    /// A line is a site's template when at least this many of the site's pages carry it…
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub min_site_docs: u32,
    /// …and at least this share of them.
    #[arg(long, value_name = "SHARE", default_value_t = 0.1)]
    pub site_share: f32,
    /// The share of a site's pages that a long sentence needs to be template (with at least
    /// twice --min-site-docs pages).
    #[arg(long, value_name = "SHARE", default_value_t = 0.5)]
    pub prose_share: f32,
}

/// How pages are grouped into sites.
#[derive(Debug, Args)]
pub struct GroupArgs {
    /// How pages are grouped into sites [default: auto: the URL's host, else the first
    /// directory under the input root, else one group].
    #[arg(long, value_enum, value_name = "HOW")]
    pub group_by: Option<GroupByArg>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GroupByArg {
    /// The URL's host, else the first directory, else one group.
    Auto,
    /// The URL's host.
    Host,
    /// The first directory under the input root.
    Dir,
    /// One group for all pages.
    None,
}

/// Duplicate articles.
#[derive(Debug, Args)]
pub struct DupArgs {
    /// Which copy of a duplicated article stays (`all`: no duplicate detection).
    #[arg(long, value_enum, default_value_t = KeepArg::First)]
    pub keep: KeepArg,
    /// Look for exact copies only.
    #[arg(long)]
    pub no_near_dup: bool,
    /// The estimated Jaccard similarity of 5-word shingles from which articles are near
    /// duplicates.
    #[arg(long, value_name = "J", default_value_t = 0.8)]
    pub near_dup_threshold: f32,
    /// The estimated containment of the smaller body's shingles in the larger's from which
    /// articles are near duplicates too (when the larger has at least twice as many shingles
    /// of its own as the smaller, the smaller has 30 words or more and their Jaccard
    /// similarity is 0.5 or more); 0 turns this rule off.
    #[arg(long, value_name = "C", default_value_t = 0.8)]
    pub near_dup_containment: f32,
    /// The estimated Jaccard similarity from which articles under the same title (of three
    /// words or more) are near duplicates; their containment rule then needs a Jaccard
    /// similarity of 0.1 only. 0 turns this rule off.
    #[arg(long, value_name = "J", default_value_t = newsclean_dedupe::dup::TITLE_THRESHOLD)]
    pub near_dup_title: f32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KeepArg {
    /// The first copy in input order.
    First,
    /// The copy with the longest body (the first among equals); holds the run's articles in
    /// a spill file beside the output until the end.
    Longest,
    /// Every copy.
    All,
}

#[derive(Debug, Args)]
pub struct DedupeArgs {
    /// A site model from `newsclean learn`; without one, only per-document rules apply.
    #[arg(long, value_name = "MODEL")]
    pub model: Option<PathBuf>,
    #[command(flatten)]
    pub rules: RuleArgs,
    #[command(flatten)]
    pub frames: FrameArgs,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Debug, Args)]
pub struct LearnArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// The INPUTs are site models: write their sum (models of parts add up to the whole's).
    #[arg(long)]
    pub merge: bool,
    /// The model file to write.
    #[arg(long, short = 'o', value_name = "MODEL")]
    pub output: PathBuf,
    /// Learn from shard I of N of the inputs only (the files whose number in the sorted walk
    /// is I modulo N); `learn --merge` sums the shards' models into the whole input's. Leaves
    /// MODEL.done when complete, and a rerun with the same arguments skips the work.
    #[arg(long, value_name = "I/N", value_parser = parse_shard, conflicts_with = "merge")]
    pub shard: Option<Shard>,
    #[command(flatten)]
    pub group: GroupArgs,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Debug, Args)]
pub struct IngestArgs {
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Debug, Args)]
pub struct SegmentArgs {
    #[command(flatten)]
    pub article: ArticleArgs,
    #[command(flatten)]
    pub frames: FrameArgs,
    #[command(flatten)]
    pub common: CommonArgs,
}

/// How a stage reads the frame stream on its standard input.
#[derive(Debug, Args)]
pub struct FrameArgs {
    /// The largest document of the stream, as `ingest --max-doc-bytes` bounded it: a frame
    /// over 16 times this (plus 1M) is refused as corrupt. Bytes, or with a suffix K, M, G or T.
    #[arg(long, value_name = "SIZE", default_value = "16M", value_parser = parse_size)]
    pub max_doc_bytes: u64,
}

/// What makes an article.
#[derive(Debug, Args)]
pub struct ArticleArgs {
    /// Reject a page whose article has fewer words than this (a page of menus and ads), with
    /// the reason `no article text (N words)`; 0 keeps every page. On the dev benchmark no
    /// page comes out under 8 words (its truths have at least 20), so 5 rejects none of them.
    #[arg(long, value_name = "N", default_value_t = newsclean_segment::DEFAULT_MIN_WORDS)]
    pub min_words: u32,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub dup: DupArgs,
    #[command(flatten)]
    pub frames: FrameArgs,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Benchmark directory: ID.truth.txt files and manifest.jsonl.
    #[arg(long, value_name = "DIR")]
    pub truth: PathBuf,
    /// Directory of outputs, one ID.txt per document (as `run --format text` writes).
    #[arg(value_name = "OUTPUT_DIR")]
    pub output: PathBuf,
    /// Also write per-document and summary scores here as JSON (score.py's --json).
    #[arg(long, value_name = "PATH")]
    pub json: Option<PathBuf>,
    /// Print one row per document after the table.
    #[arg(long)]
    pub per_doc: bool,
    /// Print the titles missed, counted by how they were missed (another line, part of the
    /// title, extra words, punctuation or case, no output), after the table.
    #[arg(long)]
    pub title_misses: bool,
    /// System name in the table [default: the output directory's name].
    #[arg(long)]
    pub name: Option<String>,
    /// Bootstrap resamples for the F1 standard deviation; 0 leaves it out.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub n_bootstrap: usize,
    /// Seed of the bootstrap (the resamples are those of score.py with the same seed).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Leave out the rows per source.
    #[arg(long)]
    pub no_by_source: bool,
}

/// `run --shard`: one shard's part of a run split over shards.
#[derive(Debug, Args)]
pub struct ShardRunArgs {
    /// Clean shard I of N of the inputs only (the files whose number in the sorted walk is I
    /// modulo N; of standard input, the documents whose id hashes to I) and write its part of
    /// the output as keyed lines to OUT (`KEY<TAB>a|d|r<TAB>"ID"<TAB>JSON`: article,
    /// duplicate, reject; KEY is the document's global order key in hex) for `newsclean
    /// merge`. Needs the whole
    /// input's --model (or --no-site-model) and, unless --keep all, --drop-list. Leaves
    /// OUT.done when complete, and a rerun with the same arguments skips the work.
    #[arg(long, value_name = "I/N", value_parser = parse_shard)]
    pub shard: Option<Shard>,
    /// The articles to write as duplicates, from `newsclean dups resolve` (with --shard).
    #[arg(long, value_name = "FILE", requires = "shard")]
    pub drop_list: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum DupsCommand {
    /// Map, per shard: each article's exact hash and LSH bands after cleaning, as `run`
    /// computes them, as keyed lines (`KEY<TAB>x|b<TAB>...`).
    Map(Box<DupsMapArgs>),
    /// Reduce, per key: the articles a key's group relates and the pairs of bodies that
    /// share a band, with their similarity, as keyed lines (`KEY<TAB>m|p<TAB>...`).
    Reduce(DupsReduceArgs),
    /// Resolve, once: the keep policy over the reduce's lines, in global order, into the
    /// drop list that `run --shard --drop-list` applies.
    Resolve(DupsResolveArgs),
}

/// Where `dups map` writes its keyed lines, and for how many reduce tasks.
#[derive(Debug, Args)]
pub struct KeyedOutArgs {
    /// Write the lines to this file (under a temporary name until complete, then FILE.done;
    /// a rerun with the same arguments skips the work) [default: `-`, standard output].
    #[arg(
        long,
        short = 'o',
        value_name = "FILE",
        conflicts_with = "partition_out"
    )]
    pub output: Option<PathBuf>,
    /// Split the lines by key into R files PREFIX-p00000, PREFIX-p00001, … (the line's key,
    /// its last 8 hex digits as a number, modulo R), then PREFIX.done: a shuffle through files.
    #[arg(long, value_name = "PREFIX", requires = "partitions")]
    pub partition_out: Option<PathBuf>,
    /// The number of reduce tasks, R: an article's bands that go to the same task share one
    /// line, keyed by the task's number (a shuffle must send a line to the key's last 8 hex
    /// digits modulo R) [default: 1].
    #[arg(long, value_name = "R")]
    pub partitions: Option<u32>,
}

#[derive(Debug, Args)]
pub struct DupsMapArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Map shard I of N of the inputs only (as `run --shard`) [default: 0/1, all].
    #[arg(long, value_name = "I/N", value_parser = parse_shard)]
    pub shard: Option<Shard>,
    #[command(flatten)]
    pub site: SiteArgs,
    #[command(flatten)]
    pub dup: DupArgs,
    #[command(flatten)]
    pub article: ArticleArgs,
    #[command(flatten)]
    pub output: KeyedOutArgs,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Debug, Args)]
pub struct DupsReduceArgs {
    /// Files of `dups map` lines, all the lines of one partition of R [default: `-`].
    #[arg(value_name = "FILE")]
    pub inputs: Vec<PathBuf>,
    /// Write the lines to this file (under a temporary name until complete, then FILE.done;
    /// a rerun with the same arguments skips the work) [default: `-`, standard output].
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Debug, Args)]
pub struct DupsResolveArgs {
    /// Files of `dups reduce` lines, all of them [default: `-`].
    #[arg(value_name = "FILE")]
    pub inputs: Vec<PathBuf>,
    /// The drop list to write (FILE.done when complete) [default: `-`].
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub dup: DupArgs,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Keyed outputs of `run --shard`, each in key order, as written [default: `-`, one
    /// stream in key order].
    #[arg(value_name = "FILE")]
    pub inputs: Vec<PathBuf>,
    /// The articles file (JSONL).
    #[arg(long, short = 'o', value_name = "OUT")]
    pub output: PathBuf,
    /// The rejects file [default: OUT's name + .rejects.jsonl].
    #[arg(long, value_name = "PATH")]
    pub rejects: Option<PathBuf>,
    /// The duplicates file [default: OUT's name + .duplicates.jsonl].
    #[arg(long, value_name = "PATH")]
    pub duplicates: Option<PathBuf>,
    #[command(flatten)]
    pub common: CommonArgs,
}

/// A shard `I/N`: shard I (from 0) of N.
pub fn parse_shard(text: &str) -> Result<Shard, String> {
    let bad = || format!("{text:?} is not a shard: give I/N, shard I (from 0) of N, e.g. 0/4");
    let (index, count) = text.split_once('/').ok_or_else(bad)?;
    let index: u64 = index.trim().parse().map_err(|_| bad())?;
    let count: u64 = count.trim().parse().map_err(|_| bad())?;
    if count == 0 || index >= count {
        return Err(format!(
            "shard {text:?}: I must be below N (shards are numbered from 0), and N at least 1"
        ));
    }
    Ok(Shard { index, count })
}

/// A size in bytes: a number with an optional suffix K, M, G or T (powers of 1024; `KB`,
/// `KiB` and lowercase are the same), e.g. `16M`.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, suffix) = text.split_at(split);
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("{text:?} is not a size (a number of bytes, or e.g. 16M, 32G)"))?;
    let suffix = suffix.trim().to_ascii_uppercase();
    let unit = suffix
        .strip_suffix("IB")
        .or_else(|| suffix.strip_suffix('B'))
        .unwrap_or(&suffix);
    let shift = match unit {
        "" => 0,
        "K" => 10,
        "M" => 20,
        "G" => 30,
        "T" => 40,
        _ => {
            return Err(format!(
                "{text:?} has an unknown size suffix; use K, M, G or T (powers of 1024)"
            ));
        }
    };
    n.checked_mul(1 << shift)
        .ok_or_else(|| format!("{text:?} is too large"))
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn verify_cli() {
        Cli::command().debug_assert();
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("123"), Ok(123));
        assert_eq!(parse_size("16M"), Ok(16 << 20));
        assert_eq!(parse_size("32G"), Ok(32 << 30));
        assert_eq!(parse_size("4k"), Ok(4096));
        assert_eq!(parse_size("2MiB"), Ok(2 << 20));
        assert_eq!(parse_size("1 TB"), Ok(1 << 40));
        assert!(parse_size("16X").is_err());
        assert!(parse_size("M").is_err());
        assert!(parse_size("99999999999T").is_err());
    }

    #[test]
    fn shards() {
        assert_eq!(parse_shard("0/4"), Ok(Shard { index: 0, count: 4 }));
        assert_eq!(parse_shard("3/4"), Ok(Shard { index: 3, count: 4 }));
        assert!(parse_shard("4/4").is_err());
        assert!(parse_shard("0/0").is_err());
        assert!(parse_shard("1").is_err());
        assert!(parse_shard("a/b").is_err());
    }
}

#[derive(Debug, Args)]
pub struct FeaturesArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// The TSV file to write.
    #[arg(long, short = 'o', value_name = "TSV")]
    pub output: PathBuf,
    /// Pass-1 probabilities (`doc<TAB>line<TAB>p`): write the second-pass features instead.
    #[arg(long, value_name = "TSV")]
    pub p1: Option<PathBuf>,
    /// Write the title candidates and their features instead.
    #[arg(long)]
    pub titles: bool,
    /// The view whose features to write (its model's features), whatever the input: the
    /// HTML view of a text page has its markup features at -1.
    #[arg(long, value_enum)]
    pub view: ViewArg,
    #[command(flatten)]
    pub site: SiteArgs,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The page to explain (the first document of an archive, JSONL or WARC file); `-` reads
    /// standard input.
    pub file: PathBuf,
    /// A site model from `newsclean learn`, to judge the page as `run --model` does.
    #[arg(long, value_name = "MODEL")]
    pub model: Option<PathBuf>,
    /// The input directory the page was read from by `run`/`learn`: it gives the page its id,
    /// and with it its site in the model.
    #[arg(long, value_name = "DIR", requires = "model")]
    pub root: Option<PathBuf>,
    /// Colour the verdicts.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// When standard output is a terminal, unless `NO_COLOR` is set or `TERM` is `dumb`.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}
