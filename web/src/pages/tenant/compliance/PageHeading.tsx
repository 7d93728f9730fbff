// A page's title and its one-paragraph explanation, with the page's main actions on the right.
import type { ReactNode } from 'react';
import { Flex, Typography } from 'antd';

export function PageHeading({
  title,
  intro,
  extra,
}: {
  title: string;
  intro?: string;
  extra?: ReactNode;
}) {
  return (
    <div style={{ marginBottom: 16 }}>
      <Flex justify="space-between" align="center" gap={16} wrap>
        <Typography.Title level={1} style={{ fontSize: 22, margin: 0 }}>
          {title}
        </Typography.Title>
        {extra}
      </Flex>
      {intro ? (
        <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0 }}>
          {intro}
        </Typography.Paragraph>
      ) : null}
    </div>
  );
}
