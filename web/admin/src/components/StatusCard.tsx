import { Card } from './Card';
import { StatusForm, type StatusFormProps } from './StatusForm';

/** A detail page's "Change status" card; its heading's id follows the select's. */
export function StatusCard<T extends string>(props: StatusFormProps<T>) {
  return (
    <Card titleId={`${props.id}-title`} title="Change status">
      <StatusForm {...props} />
    </Card>
  );
}
