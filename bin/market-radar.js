#!/usr/bin/env node
// Launcher for `npx market-radar`: runs cli.ts through tsx's loader (no build step).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli.ts');
await main();
