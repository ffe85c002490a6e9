import { blueskyAdapter } from './bluesky-adapter.ts';
import { hackerNewsAdapter } from './hacker-news-adapter.ts';
import { mastodonAdapter } from './mastodon-adapter.ts';
import { redditAdapter } from './reddit-adapter.ts';
import type { SocialAdapter } from './types.ts';
import { youtubeAdapter } from './youtube-adapter.ts';

/** Every built-in adapter by name; a deployment may add or replace entries. */
export const SOCIAL_ADAPTERS: Readonly<Record<string, SocialAdapter>> = Object.freeze({
  [redditAdapter.name]: redditAdapter,
  [hackerNewsAdapter.name]: hackerNewsAdapter,
  [mastodonAdapter.name]: mastodonAdapter,
  [blueskyAdapter.name]: blueskyAdapter,
  [youtubeAdapter.name]: youtubeAdapter,
});
