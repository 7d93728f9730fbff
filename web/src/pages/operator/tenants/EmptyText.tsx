// A table's "nothing here" in the theme's secondary text colour: Ant Design's own placeholder
// colour (the disabled text colour) misses WCAG AA contrast.
import { Typography } from 'antd';

export function EmptyText({ children }: { children: string }) {
  return <Typography.Text type="secondary">{children}</Typography.Text>;
}
