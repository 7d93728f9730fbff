// Kept for the page still wrapping itself in it (tenant/Users.tsx): the readable empty state it
// gave is every page's now (App.tsx's renderEmpty, components/EmptyText.tsx).
import type { ReactNode } from 'react';

export function AccessibleTheme({ children }: { children: ReactNode }) {
  return <>{children}</>;
}
