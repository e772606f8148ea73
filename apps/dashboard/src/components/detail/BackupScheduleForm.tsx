// When a store is backed up on its own (a cron expression, UTC) and how many backups are kept. The
// contract's rules are checked before sending; whether the platform can run schedules at all is the
// API's to say (400 BACKUP_SCHEDULE_UNAVAILABLE, with the reason).
import { type BackupSchedule, SetBackupScheduleRequest, type Store } from '@storefleet/contracts';
import { type FormEvent, useId, useState } from 'react';
import { errorMessage, inputIssue } from '../../api/client.ts';
import { useSetBackupSchedule } from '../../api/queries.ts';
import { TextField } from '../TextField.tsx';
import { Button, Notice } from '../ui.tsx';

interface FieldErrors {
  cron?: string | undefined;
  keep?: string | undefined;
  form?: string | undefined;
}

function localErrors(cron: string | null, keep: number): FieldErrors {
  const parsed = SetBackupScheduleRequest.safeParse({ cron, keep });
  if (parsed.success) return {};
  const errors: FieldErrors = {};
  for (const issue of parsed.error.issues) {
    if (issue.path[0] === 'cron') errors.cron ??= `The schedule ${issue.message}.`;
    else if (issue.path[0] === 'keep') errors.keep ??= 'Backups kept must be a whole number from 1 to 100.';
  }
  return errors;
}

function describe(schedule: BackupSchedule): string {
  const kept = `the newest ${schedule.keep} backup${schedule.keep === 1 ? ' is' : 's are'} kept`;
  return schedule.cron === null
    ? `No schedule: backups are made only when you ask; ${kept}.`
    : `Backed up on the schedule “${schedule.cron}” (UTC); ${kept}.`;
}

export function BackupScheduleForm({ store, schedule }: { store: Store; schedule: BackupSchedule }) {
  const hintId = useId();
  const [cron, setCron] = useState(schedule.cron ?? '');
  const [keep, setKeep] = useState(String(schedule.keep));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [saved, setSaved] = useState<string>();
  const save = useSetBackupSchedule();

  const send = (next: string | null) => {
    setSaved(undefined);
    const keepNumber = keep.trim() === '' ? Number.NaN : Number(keep);
    const local = localErrors(next, keepNumber);
    setErrors(local);
    if (local.cron || local.keep) return;
    save.mutate(
      { storeId: store.id, schedule: { cron: next === null ? null : next.trim(), keep: keepNumber } },
      {
        onSuccess: (answer) => {
          setCron(answer.cron ?? '');
          setKeep(String(answer.keep));
          setSaved(answer.cron === null ? 'Schedule removed.' : 'Schedule saved.');
        },
        onError: (error) => {
          const cronIssue = inputIssue(error, 'body.cron');
          const keepIssue = inputIssue(error, 'body.keep');
          setErrors(
            cronIssue || keepIssue
              ? {
                  ...(cronIssue ? { cron: `The schedule ${cronIssue}` } : {}),
                  ...(keepIssue ? { keep: `Backups kept ${keepIssue}` } : {}),
                }
              : { form: errorMessage(error) },
          );
        },
      },
    );
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    // An empty schedule is no schedule.
    send(cron.trim() === '' ? null : cron);
  };

  return (
    <form
      onSubmit={submit}
      noValidate
      aria-labelledby={`${hintId}-title`}
      className="space-y-3 border-t border-slate-200 pt-4"
    >
      <h3 id={`${hintId}-title`} className="text-sm font-semibold text-slate-900">
        Backup schedule
      </h3>
      <p className="text-sm text-slate-600">{describe(schedule)}</p>
      <div className="flex flex-col gap-3 sm:flex-row sm:items-start">
        <TextField
          label="Schedule (cron, UTC)"
          name="cron"
          placeholder="0 3 * * *"
          value={cron}
          onChange={(value) => {
            setCron(value);
            if (errors.cron) setErrors({ ...errors, cron: undefined });
          }}
          error={errors.cron}
          spellCheck={false}
        />
        <div className="sm:w-36">
          <TextField
            label="Backups kept"
            name="keep"
            type="number"
            inputMode="numeric"
            min={1}
            max={100}
            value={keep}
            onChange={(value) => {
              setKeep(value);
              if (errors.keep) setErrors({ ...errors, keep: undefined });
            }}
            error={errors.keep}
          />
        </div>
        <div className="flex gap-2 sm:mt-6">
          <Button
            type="submit"
            variant="primary"
            busy={save.isPending && save.variables?.schedule.cron !== null}
          >
            Save schedule
          </Button>
          {schedule.cron !== null ? (
            <Button
              busy={save.isPending && save.variables?.schedule.cron === null}
              onClick={() => send(null)}
            >
              Remove schedule
            </Button>
          ) : null}
        </div>
      </div>
      <p id={hintId} className="text-xs text-slate-500">
        Five fields: minute, hour, day of month, month, day of week. “0 3 * * *” backs up every day at 03:00
        UTC.
      </p>
      {errors.form ? (
        <Notice tone="error" role="alert">
          {errors.form}
        </Notice>
      ) : null}
      <p role="status" className="text-sm text-emerald-800 empty:hidden">
        {saved}
      </p>
    </form>
  );
}
