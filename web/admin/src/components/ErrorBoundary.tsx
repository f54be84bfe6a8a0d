import { Component, type ReactNode } from 'react';
import { errorMessage } from '../lib/format';

/**
 * The last resort for an error thrown while rendering: without it React
 * unmounts everything and leaves a blank page. It says what went wrong and
 * offers a reload, which starts the console afresh. (React itself logs the
 * error to the console.)
 */
export class ErrorBoundary extends Component<{ children: ReactNode }, { error: unknown }> {
  state = { error: null as unknown };

  static getDerivedStateFromError(error: unknown) {
    return { error: error ?? new Error('Unknown error') };
  }

  render() {
    if (!this.state.error) return this.props.children;
    return (
      <main id="main" className="narrow">
        <h1>Something went wrong</h1>
        <div role="alert" className="error">
          <p>{errorMessage(this.state.error)}</p>
        </div>
        <button type="button" className="primary" onClick={() => window.location.reload()}>
          Reload
        </button>
      </main>
    );
  }
}
