/** The fake Slack of RELIABILITY.md (FSl), on 127.0.0.1 port 0, plus script helpers for the W tests. */
import type { FakeSlackAnswer, FakeSlackScript } from '../../demo/fake-slack.ts';

export type { FakeSlack, FakeSlackAnswer, FakeSlackRequest, FakeSlackScript } from '../../demo/fake-slack.ts';
export { slackPayloadError, startFakeSlack } from '../../demo/fake-slack.ts';

/** Answers every n-th valid request with `answer`, the others with 200 ok. */
export const everyNth =
  (n: number, answer: FakeSlackAnswer): FakeSlackScript =>
  ({ n: i }) =>
    i % n === 0 ? answer : undefined;

/** Answers the first `times` valid requests with `answer`, then 200 ok. */
export const firstN =
  (times: number, answer: FakeSlackAnswer): FakeSlackScript =>
  ({ n }) =>
    n <= times ? answer : undefined;

/** Slack's permanent errors as the fake scripts them (status, body). */
export const SLACK_PERMANENT: FakeSlackAnswer[] = [
  { status: 400, body: 'invalid_payload' },
  { status: 404, body: 'channel_not_found' },
  { status: 410, body: 'channel_is_archived' },
  { status: 404, body: 'no_service' },
];
