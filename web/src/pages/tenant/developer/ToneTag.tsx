// Kept for the pages still importing it from here (tenant/Users.tsx, tenant/account/*), with their
// `color` prop: the tag is components/ToneTag.tsx.
import type { ReactNode } from 'react';
import { ToneTag as Tag, type Tone } from '../../../components/ToneTag.tsx';

export function ToneTag({
  color,
  ...rest
}: {
  color?: string;
  children: ReactNode;
  'data-status'?: string;
}) {
  return <Tag tone={color === 'blue' ? 'processing' : (color as Tone | undefined)} {...rest} />;
}
