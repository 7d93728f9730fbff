// A page's title, its one-paragraph introduction and its main actions, the same on every page.
import type { ReactNode } from 'react';
import { Flex, Typography } from 'antd';

export function PageTitle({
  title,
  intro,
  extra,
}: {
  title: ReactNode;
  intro?: ReactNode;
  extra?: ReactNode;
}) {
  return (
    <div style={{ marginBottom: 16 }}>
      <Flex justify="space-between" align="center" gap={16} wrap>
        <Typography.Title level={3} style={{ margin: 0 }}>
          {title}
        </Typography.Title>
        {extra ? (
          <Flex gap={8} wrap align="center">
            {extra}
          </Flex>
        ) : null}
      </Flex>
      {intro ? (
        <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0 }}>
          {intro}
        </Typography.Paragraph>
      ) : null}
    </div>
  );
}
