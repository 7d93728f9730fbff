// A status tag whose text keeps WCAG AA contrast: white on a solid, dark status colour (the light
// preset tags put green on pale green, which axe-core finds too faint).
import type { ReactNode } from 'react';
import { Tag } from 'antd';

export type Tone = 'success' | 'error' | 'warning' | 'processing' | 'default';

const SOLID: Record<Tone, string> = {
  success: '#237804',
  error: '#cf1322',
  warning: '#874d00',
  processing: '#0958d9',
  default: '#595959',
};

export function StatusTag({
  tone,
  children,
  ...rest
}: { tone: string; children: ReactNode } & { [data: `data-${string}`]: string | undefined }) {
  return (
    <Tag color={SOLID[tone as Tone] ?? SOLID.default} {...rest}>
      {children}
    </Tag>
  );
}
