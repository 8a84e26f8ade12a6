// tsc emits only JavaScript: copy the SQL migrations beside the compiled db/ so dist/ runs alone.
import { cpSync, mkdirSync } from 'node:fs';
mkdirSync('dist/db/migrations', { recursive: true });
cpSync('db/migrations', 'dist/db/migrations', { recursive: true });
