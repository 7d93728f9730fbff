// Status colours that keep WCAG AA contrast (4.5:1): Ant Design's light preset tags and its
// success/error text colours fall short on white, so the text takes the palette's dark shade.
import { Empty, Tag, type TagProps } from 'antd';

export type Tone =
  | 'success'
  | 'processing'
  | 'error'
  | 'warning'
  | 'default'
  | 'purple'
  | 'cyan'
  | 'magenta'
  | 'gold';

const TONES: Record<Tone, { color: string; background: string; borderColor: string }> = {
  success: { color: '#135200', background: '#f6ffed', borderColor: '#b7eb8f' },
  processing: { color: '#003eb3', background: '#e6f4ff', borderColor: '#91caff' },
  error: { color: '#a8071a', background: '#fff1f0', borderColor: '#ffa39e' },
  warning: { color: '#873800', background: '#fff7e6', borderColor: '#ffd591' },
  default: { color: 'rgba(0, 0, 0, 0.88)', background: '#fafafa', borderColor: '#d9d9d9' },
  purple: { color: '#391085', background: '#f9f0ff', borderColor: '#d3adf7' },
  cyan: { color: '#00474f', background: '#e6fffb', borderColor: '#87e8de' },
  magenta: { color: '#780650', background: '#fff0f6', borderColor: '#ffadd2' },
  gold: { color: '#613400', background: '#fffbe6', borderColor: '#ffe58f' },
};

/** Text colours on white: green for money in, red for money out and refusals. */
export const TEXT = { success: '#237804', danger: '#cf1322' } as const;

export function ToneTag({ tone, style, ...rest }: TagProps & { tone: Tone }) {
  return <Tag style={{ ...TONES[tone], ...style }} {...rest} />;
}

/** A table's empty state in the description colour (a bare text takes the disabled grey). */
export function emptyText(text: string) {
  return <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={text} />;
}
