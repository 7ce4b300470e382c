# Renders Markdown with real kramdown, as Jekyll 4.3 does by default (kramdown-parser-gfm and
# the options of Jekyll's configuration.rb and kramdown_parser.rb), for the differential tests.
# stdin: a JSON object {"options": {...site's kramdown: overrides...}, "documents": ["md", ...]}
# stdout: a JSON array with the HTML of each document, in order.
require 'json'
require 'kramdown'
require 'kramdown-parser-gfm'

JEKYLL_DEFAULTS = {
  'auto_ids' => true,
  'toc_levels' => (1..6).to_a,
  'entity_output' => 'as_char',
  'smart_quotes' => 'lsquo,rsquo,ldquo,rdquo',
  'input' => 'GFM',
  'hard_wrap' => false,
  'guess_lang' => true,
  'footnote_nr' => 1,
  'show_warnings' => false,
}.freeze

input = JSON.parse($stdin.read)
config = JEKYLL_DEFAULTS.merge(input['options'] || {})
highlighter =
  begin
    require 'rouge'
    'rouge'
  rescue LoadError
    nil # the words a reader sees are the same without highlighting
  end
config['syntax_highlighter'] ||= highlighter
config['syntax_highlighter_opts'] = { 'default_lang' => 'plaintext', 'guess_lang' => config['guess_lang'] }
options = Kramdown::Options.merge(config.transform_keys(&:to_sym))
out = input['documents'].map do |md|
  Kramdown::Document.new(md, options).to_html
rescue StandardError => e
  "<!-- kramdown failed: #{e.class}: #{e.message} -->"
end
$stdout.write(JSON.generate(out))
