import { MultiBar, Presets, type SingleBar } from 'cli-progress';
import { drainText } from './render';

/** Shows a stop's drain: on a terminal one bar per consuming component, elsewhere one line per change. */
export interface DrainProgress {
  update(unfinished: Record<string, number>): void;
  stop(): void;
}

export function drainProgress(stream: NodeJS.WriteStream = process.stderr): DrainProgress {
  return stream.isTTY ? new DrainBars(stream) : new DrainLines(stream);
}

/**
 * A bar per component, full once it has nothing left. The total is the most the component has had unfinished
 * since the drain began, so the bar only moves forward while the count goes down.
 */
class DrainBars implements DrainProgress {
  private readonly bars: MultiBar;
  private readonly byComponent = new Map<string, { bar: SingleBar; most: number }>();

  constructor(stream: NodeJS.WriteStream) {
    this.bars = new MultiBar(
      { format: ' {component} [{bar}] {unfinished} unfinished', hideCursor: true, clearOnComplete: false, stopOnComplete: false, stream },
      Presets.shades_classic,
    );
  }

  update(unfinished: Record<string, number>): void {
    for (const [component, count] of Object.entries(unfinished)) {
      const known = this.byComponent.get(component);
      const most = Math.max(known?.most ?? 0, count, 1);
      const bar = known?.bar ?? this.bars.create(most, 0, { component, unfinished: count });
      bar.setTotal(most);
      bar.update(most - count, { component, unfinished: count });
      this.byComponent.set(component, { bar, most });
    }
  }

  stop(): void {
    this.bars.stop();
  }
}

class DrainLines implements DrainProgress {
  private last = '';

  constructor(private readonly stream: NodeJS.WriteStream) {}

  update(unfinished: Record<string, number>): void {
    const text = drainText(unfinished);
    if (text !== this.last) this.stream.write(`draining: ${text}\n`);
    this.last = text;
  }

  stop(): void {}
}
