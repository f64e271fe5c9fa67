#!/usr/bin/env node
// Launcher: registers the TypeScript loader, then runs the CLI entry.
import { register } from 'tsx/esm/api';

register();
await import('../cmd/ariadne.ts');
