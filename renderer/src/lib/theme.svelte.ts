// The colour theme: one `$state` for the page, kept on <html data-theme> for the CSS variables
// and in localStorage across launches. Charts read `theme.current` to pick their palette.

export type Theme = 'light' | 'dark';

const KEY = 'rnn-workbench-theme';

export class ThemeState {
  current = $state<Theme>('light');

  set(theme: Theme): void {
    this.current = theme;
    document.documentElement.dataset.theme = theme;
    try {
      localStorage.setItem(KEY, theme);
    } catch {
      /* storage may be off */
    }
  }

  toggle(): void {
    this.set(this.current === 'dark' ? 'light' : 'dark');
  }

  /** The saved choice, else the system's preference. */
  initial(): Theme {
    try {
      const saved = localStorage.getItem(KEY);
      if (saved === 'light' || saved === 'dark') return saved;
    } catch {
      /* ignore */
    }
    return typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
  }
}

/** The page's one theme. */
export const theme = new ThemeState();
