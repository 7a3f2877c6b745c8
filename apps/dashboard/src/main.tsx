import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { render } from 'preact';
import { App } from './app.js';
import { connectLive } from './lib/live.js';
import { DashboardStore } from './lib/store.js';
import { playAlarm } from './sound.js';

const store = new DashboardStore();
store.onCritical(() => playAlarm());
connectLive(store);
render(<App store={store} />, document.getElementById('app')!);
