// The console's one coloured tag. Ant Design's preset tag colours (green, gold, cyan, …) put
// mid-tone text on a light tint and miss WCAG AA contrast (4.5:1), which axe-core reports; each
// tone here keeps its palette's lightest tint and border and takes the palette's dark shade as text
// (every pair 7:1 or more). Pages map their states to a tone (message status, review status, …).
import { Tag, type TagProps } from 'antd';

export type Tone =
  | 'default'
  | 'success'
  | 'processing'
  | 'warning'
  | 'error'
  | 'gold'
  | 'volcano'
  | 'purple'
  | 'cyan'
  | 'magenta'
  | 'geekblue';

const TONES: Record<Tone, { color: string; background: string; borderColor: string }> = {
  default: { color: 'rgba(0, 0, 0, 0.88)', background: '#fafafa', borderColor: '#d9d9d9' },
  success: { color: '#135200', background: '#f6ffed', borderColor: '#b7eb8f' },
  processing: { color: '#003eb3', background: '#e6f4ff', borderColor: '#91caff' },
  warning: { color: '#873800', background: '#fff7e6', borderColor: '#ffd591' },
  error: { color: '#a8071a', background: '#fff1f0', borderColor: '#ffa39e' },
  gold: { color: '#613400', background: '#fffbe6', borderColor: '#ffe58f' },
  volcano: { color: '#871400', background: '#fff2e8', borderColor: '#ffbb96' },
  purple: { color: '#391085', background: '#f9f0ff', borderColor: '#d3adf7' },
  cyan: { color: '#00474f', background: '#e6fffb', borderColor: '#87e8de' },
  magenta: { color: '#780650', background: '#fff0f6', borderColor: '#ffadd2' },
  geekblue: { color: '#10239e', background: '#f0f5ff', borderColor: '#adc6ff' },
};

export function ToneTag({
  tone = 'default',
  style,
  ...rest
}: Omit<TagProps, 'color'> & { tone?: Tone } & { [data: `data-${string}`]: string | undefined }) {
  return <Tag style={{ ...(TONES[tone] ?? TONES.default), ...style }} {...rest} />;
}
