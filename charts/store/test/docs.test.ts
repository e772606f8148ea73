// values.yaml is documented parameter by parameter, the README table matches it, and the schema is strict.
// After changing an @param: UPDATE_GOLDEN=1 npx vitest run charts/store rewrites the README table.
import { describeChartDocs } from '../../test-support/chart-suites.ts';
import { CHART } from './support/chart.ts';

describeChartDocs(CHART);
