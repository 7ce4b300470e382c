declare module 'markdown-it-deflist' {
  import type { MarkdownIt } from 'markdown-it';

  const deflist: (md: MarkdownIt) => void;
  export default deflist;
}

declare module 'markdown-it-abbr' {
  import type { MarkdownIt } from 'markdown-it';

  const abbr: (md: MarkdownIt) => void;
  export default abbr;
}
