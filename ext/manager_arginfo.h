/* This is a generated file, edit the .stub.php file instead.
 * Stub hash: 058db1db0c2ad6b7a2298d8a5539a4636ed2dac5 */

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_Psc_Worker_Manager_addWorker, 0, 1, IS_VOID, 0)
	ZEND_ARG_OBJ_INFO(0, worker, Psc\\Worker\\Worker, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_Psc_Worker_Manager_removeWorker, 0, 1, IS_VOID, 0)
	ZEND_ARG_TYPE_INFO(0, name, IS_STRING, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_Psc_Worker_Manager_reload, 0, 0, IS_VOID, 0)
	ZEND_ARG_TYPE_INFO_WITH_DEFAULT_VALUE(0, name, IS_STRING, 1, "null")
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_Psc_Worker_Manager_stop, 0, 0, IS_VOID, 0)
ZEND_END_ARG_INFO()

#define arginfo_class_Psc_Worker_Manager_stopWorker arginfo_class_Psc_Worker_Manager_removeWorker

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_Psc_Worker_Manager_commandToWorker, 0, 2, IS_VOID, 0)
	ZEND_ARG_OBJ_INFO(0, command, Psc\\Worker\\Command, 0)
	ZEND_ARG_TYPE_INFO(0, name, IS_STRING, 0)
ZEND_END_ARG_INFO()

ZEND_BEGIN_ARG_WITH_RETURN_TYPE_INFO_EX(arginfo_class_Psc_Worker_Manager_commandToAll, 0, 1, IS_VOID, 0)
	ZEND_ARG_OBJ_INFO(0, command, Psc\\Worker\\Command, 0)
ZEND_END_ARG_INFO()

#define arginfo_class_Psc_Worker_Manager_run arginfo_class_Psc_Worker_Manager_stop


ZEND_METHOD(Psc_Worker_Manager, addWorker);
ZEND_METHOD(Psc_Worker_Manager, removeWorker);
ZEND_METHOD(Psc_Worker_Manager, reload);
ZEND_METHOD(Psc_Worker_Manager, stop);
ZEND_METHOD(Psc_Worker_Manager, stopWorker);
ZEND_METHOD(Psc_Worker_Manager, commandToWorker);
ZEND_METHOD(Psc_Worker_Manager, commandToAll);
ZEND_METHOD(Psc_Worker_Manager, run);


static const zend_function_entry class_Psc_Worker_Manager_methods[] = {
	ZEND_ME(Psc_Worker_Manager, addWorker, arginfo_class_Psc_Worker_Manager_addWorker, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(Psc_Worker_Manager, removeWorker, arginfo_class_Psc_Worker_Manager_removeWorker, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(Psc_Worker_Manager, reload, arginfo_class_Psc_Worker_Manager_reload, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(Psc_Worker_Manager, stop, arginfo_class_Psc_Worker_Manager_stop, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(Psc_Worker_Manager, stopWorker, arginfo_class_Psc_Worker_Manager_stopWorker, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(Psc_Worker_Manager, commandToWorker, arginfo_class_Psc_Worker_Manager_commandToWorker, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(Psc_Worker_Manager, commandToAll, arginfo_class_Psc_Worker_Manager_commandToAll, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_ME(Psc_Worker_Manager, run, arginfo_class_Psc_Worker_Manager_run, ZEND_ACC_PUBLIC|ZEND_ACC_STATIC)
	ZEND_FE_END
};

static zend_class_entry *register_class_Psc_Worker_Manager(void)
{
	zend_class_entry ce, *class_entry;

	INIT_NS_CLASS_ENTRY(ce, "Psc\\Worker", "Manager", class_Psc_Worker_Manager_methods);
	class_entry = zend_register_internal_class_ex(&ce, NULL);

	return class_entry;
}
