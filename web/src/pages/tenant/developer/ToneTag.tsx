// A coloured tag whose text keeps WCAG AA contrast (4.5:1): Ant Design's preset tag colours (gold,
// cyan, volcano, …) put light text on a light tint and fail it. Same names as Tag's `color`, each
// drawn with its palette's dark shade on its lightest tint, whatever the theme.
import type { ReactNode } from 'react';
import { Tag } from 'antd';

const TONES: Record<string, { color: string; background: string; borderColor: string }> = {
  success: { color: '#237804', background: '#f6ffed', borderColor: '#b7eb8f' },
  processing: { color: '#003eb3', background: '#e6f4ff', borderColor: '#91caff' },
  blue: { color: '#003eb3', background: '#e6f4ff', borderColor: '#91caff' },
  geekblue: { color: '#10239e', background: '#f0f5ff', borderColor: '#adc6ff' },
  warning: { color: '#ad4e00', background: '#fff7e6', borderColor: '#ffd591' },
  gold: { color: '#874d00', background: '#fffbe6', borderColor: '#ffe58f' },
  volcano: { color: '#ad2102', background: '#fff2e8', borderColor: '#ffbb96' },
  error: { color: '#a8071a', background: '#fff1f0', borderColor: '#ffa39e' },
  cyan: { color: '#006d75', background: '#e6fffb', borderColor: '#87e8de' },
  purple: { color: '#391085', background: '#f9f0ff', borderColor: '#d3adf7' },
};

export function ToneTag({
  color,
  children,
  ...rest
}: {
  color?: string;
  children: ReactNode;
  'data-status'?: string;
}) {
  const tone = color ? TONES[color] : undefined;
  return (
    <Tag {...rest} style={tone}>
      {children}
    </Tag>
  );
}
